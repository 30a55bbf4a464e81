/**
 * The deployment's value lists the functions read from their environment at run time (role,
 * demand assignment policy, mode), and the event bus ARN pattern the worker checks: plain values,
 * no schema, so a function bundle takes them without the deploy-time config schema
 * (`config.ts`, which builds its schema from these same lists).
 */

export const ROLES = ['supply', 'demand', 'both'] as const;
/** Demand side: how an offer a supplier accepted is assigned (`none`: left to a person). */
export const DEMAND_ASSIGNMENT_POLICIES = ['first-accepted', 'none'] as const;
/** `live` answers offers; `dry-run` decides, records and notifies, and never answers. */
export const CONNECTOR_MODES = ['live', 'dry-run'] as const;

export type Role = (typeof ROLES)[number];
export type DemandAssignmentPolicy = (typeof DEMAND_ASSIGNMENT_POLICIES)[number];
export type ConnectorMode = (typeof CONNECTOR_MODES)[number];

/** An EventBridge event bus ARN (`arn:<partition>:events:<region>:<account>:event-bus/<name>`). */
export const EVENT_BUS_ARN_PATTERN =
  /^arn:aws(-[a-z]+)*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;
export const EVENT_BUS_ARN_MESSAGE =
  'must be an EventBridge event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)';
