/** An error as the one-line reason a failed document is reported with. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
