/** The slice of the server's pino logger a backplane uses; kept narrow so hosts can pass any logger. */
export interface BackplaneLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export const silentBackplaneLogger: BackplaneLogger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
