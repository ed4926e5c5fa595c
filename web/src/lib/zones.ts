/** The IANA zones this browser knows, as suggestions for a time zone field (the server decides what it accepts). */
export function timeZones(): string[] {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}
