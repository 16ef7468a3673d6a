/** The VTQL engine lives in ./vtql (its own owner; interface in the VTQL contract). */
export { runVtql } from './vtql';
export type { VtqlContext, VtqlField, VtqlModule, VtqlOutcome, VtqlRow } from './vtql';
