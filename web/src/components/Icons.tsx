// The few icons the UI uses, inline (no icon font, nothing fetched). All decorative: aria-hidden.
import type { SVGProps } from 'react';

function Icon({ d, ...rest }: SVGProps<SVGSVGElement> & { d: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
      width={20}
      height={20}
      {...rest}
    >
      <path d={d} />
    </svg>
  );
}

type P = SVGProps<SVGSVGElement>;
export const HomeIcon = (p: P) => <Icon d="M3 11l9-8 9 8M5 10v10h5v-6h4v6h5V10" {...p} />;
export const UsersIcon = (p: P) => (
  <Icon
    d="M16 19v-1a4 4 0 00-4-4H6a4 4 0 00-4 4v1M9 10a3 3 0 100-6 3 3 0 000 6zM22 19v-1a4 4 0 00-3-3.9M16 4.1a3 3 0 010 5.8"
    {...p}
  />
);
export const UploadIcon = (p: P) => <Icon d="M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 001 1h14a1 1 0 001-1v-3" {...p} />;
export const FilterIcon = (p: P) => <Icon d="M3 5h18l-7 8v6l-4 2v-8z" {...p} />;
export const TemplateIcon = (p: P) => (
  <Icon d="M14 3H6a1 1 0 00-1 1v16a1 1 0 001 1h12a1 1 0 001-1V8zM14 3v5h5M9 13h6M9 17h4" {...p} />
);
export const SendIcon = (p: P) => <Icon d="M22 2L11 13M22 2l-7 20-4-9-9-4z" {...p} />;
export const SettingsIcon = (p: P) => (
  <Icon
    d="M12 15a3 3 0 100-6 3 3 0 000 6zM19.4 15a1.7 1.7 0 00.3 1.8l.1.1a2 2 0 11-2.8 2.8l-.1-.1a1.7 1.7 0 00-1.8-.3 1.7 1.7 0 00-1 1.5V21a2 2 0 11-4 0v-.1a1.7 1.7 0 00-1.1-1.5 1.7 1.7 0 00-1.8.3l-.1.1a2 2 0 11-2.8-2.8l.1-.1a1.7 1.7 0 00.3-1.8 1.7 1.7 0 00-1.5-1H3a2 2 0 110-4h.1a1.7 1.7 0 001.5-1.1 1.7 1.7 0 00-.3-1.8l-.1-.1a2 2 0 112.8-2.8l.1.1a1.7 1.7 0 001.8.3H9a1.7 1.7 0 001-1.5V3a2 2 0 114 0v.1a1.7 1.7 0 001 1.5 1.7 1.7 0 001.8-.3l.1-.1a2 2 0 112.8 2.8l-.1.1a1.7 1.7 0 00-.3 1.8V9a1.7 1.7 0 001.5 1H21a2 2 0 110 4h-.1a1.7 1.7 0 00-1.5 1z"
    {...p}
  />
);
export const ShieldIcon = (p: P) => <Icon d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6zM9 12l2 2 4-4" {...p} />;
export const BlockIcon = (p: P) => <Icon d="M12 21a9 9 0 100-18 9 9 0 000 18zM5.6 5.6l12.8 12.8" {...p} />;
export const MenuIcon = (p: P) => <Icon d="M4 6h16M4 12h16M4 18h16" {...p} />;
export const CloseIcon = (p: P) => <Icon d="M6 6l12 12M18 6L6 18" {...p} />;
export const PlusIcon = (p: P) => <Icon d="M12 5v14M5 12h14" {...p} />;
export const SparkIcon = (p: P) => (
  <Icon
    d="M12 3l1.9 5.1L19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9zM19 17l.8 2.2L22 20l-2.2.8L19 23l-.8-2.2L16 20l2.2-.8z"
    {...p}
  />
);
export const SearchIcon = (p: P) => <Icon d="M11 18a7 7 0 100-14 7 7 0 000 14zM21 21l-4.3-4.3" {...p} />;
export const LogoMark = (p: P) => (
  <svg viewBox="0 0 32 32" aria-hidden width={28} height={28} {...p}>
    <rect width="32" height="32" rx="8" fill="#4f46e5" />
    <path
      d="M9 16a7 7 0 0 1 12-4.9M23 16a7 7 0 0 1-12 4.9"
      stroke="#fff"
      strokeWidth="3"
      fill="none"
      strokeLinecap="round"
    />
  </svg>
);
