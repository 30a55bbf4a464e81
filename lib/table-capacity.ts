import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { ProvisionedCapacity } from '../lambdas/core/config';

/**
 * The offer table's capacity mode (config `table`): on demand, or provisioned with target-tracking
 * auto scaling of its reads and writes between the configured minimum and maximum. The table has
 * no secondary index; one added later needs the same scaling (`autoScaleGlobalSecondaryIndex*`),
 * which cdk-nag's DynamoDBAutoScalingEnabled rule checks.
 */

/** The table's billing props: pay per request, or the minimum capacity to start from. */
export function tableBilling(
  capacity: ProvisionedCapacity | undefined,
): Pick<dynamodb.TableProps, 'billingMode' | 'readCapacity' | 'writeCapacity'> {
  if (capacity === undefined) return { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST };
  // Auto scaling owns the capacity from here: CloudFormation sets these only when they change,
  // but then to exactly this, even below what auto scaling holds (a cut, and one of DynamoDB's
  // limited decreases): change a min at a quiet time, never to cure a throttle (raise the max).
  return {
    billingMode: dynamodb.BillingMode.PROVISIONED,
    readCapacity: capacity.readCapacity.min,
    writeCapacity: capacity.writeCapacity.min,
  };
}

/**
 * Target tracking on the table's read and write capacity (Application Auto Scaling, through its
 * DynamoDB service-linked role: no role in the stack). Scaling out follows consumed capacity above
 * the target for about two minutes; until then a burst beyond the capacity (and DynamoDB's burst
 * credit of up to 5 minutes of unused capacity) is throttled.
 */
export function autoScale(table: dynamodb.Table, capacity: ProvisionedCapacity): void {
  const targetUtilizationPercent = capacity.targetUtilization;
  table
    .autoScaleWriteCapacity({
      minCapacity: capacity.writeCapacity.min,
      maxCapacity: capacity.writeCapacity.max,
    })
    .scaleOnUtilization({ targetUtilizationPercent });
  table
    .autoScaleReadCapacity({
      minCapacity: capacity.readCapacity.min,
      maxCapacity: capacity.readCapacity.max,
    })
    .scaleOnUtilization({ targetUtilizationPercent });
}
