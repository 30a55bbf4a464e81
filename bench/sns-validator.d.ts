/** The npm `sns-validator` package ships no types; this is the part the benchmark uses. */
declare module 'sns-validator' {
  type ValidationCallback = (error: Error | null, message?: Record<string, unknown>) => void;

  class MessageValidator {
    constructor(hostPattern?: RegExp, encoding?: string);
    validate(message: string | Record<string, unknown>, callback: ValidationCallback): void;
  }

  export = MessageValidator;
}
