import type { LocatedError } from './errors';

/** What every part of the builder can read (react-querybuilder's `context` prop). */
export interface BuilderContext {
  /** Server errors by condition path (`1.0`). */
  errors: Map<string, LocatedError[]>;
  /** Conditions still waiting for a value, by path. */
  incomplete: Set<string>;
  currency?: string;
}
