import type { SQSRecord } from 'aws-lambda';

/** How the worker hands records back to the queue it consumes (the SQS adapter implements it). */
export interface RecordRetry {
  /** Makes a received record visible again `seconds` from now (ChangeMessageVisibility). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /** Sends a copy of the record, same body and message attributes, delivered after `delaySeconds`. */
  resend(
    record: Pick<SQSRecord, 'body' | 'messageAttributes'>,
    delaySeconds: number,
  ): Promise<void>;
}
