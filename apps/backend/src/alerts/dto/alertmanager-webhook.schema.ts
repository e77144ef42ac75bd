import { z } from 'zod';

const labelSet = z.record(z.string(), z.string(), { message: 'must be an object of string values' });

// Alertmanager writes RFC 3339 times with up to nanosecond precision and any offset.
const time = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time' });

const alert = z.object({
  status: z.enum(['firing', 'resolved'], { message: 'must be firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: time,
  // "0001-01-01T00:00:00Z" while an alert fires without a known end: kept as text, read only when resolved.
  endsAt: z.string().max(64).optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/i, 'must be a hexadecimal fingerprint').optional(),
  generatorURL: z.string().optional(),
});

/**
 * Alertmanager's webhook payload, version 4. Unlike our own API's bodies, unknown keys are
 * dropped rather than refused: Alertmanager adds fields between releases, and a new field must not
 * turn every notification into a 400 that nobody sees until an incident goes unrecorded.
 */
export const alertmanagerWebhook = z.object(
  {
    version: z.literal('4', { message: 'only version 4 of the webhook payload is supported' }),
    status: z.enum(['firing', 'resolved'], { message: 'must be firing or resolved' }),
    receiver: z.string().optional(),
    groupKey: z.string().optional(),
    // Alertmanager sends at most max_alerts per call when configured; this bounds a forged body.
    alerts: z.array(alert, { message: 'must be an array' }).max(1000, 'at most 1000 alerts per call'),
  },
  { error: (issue) => (issue.code === 'invalid_type' && issue.path?.length === 0 ? 'body must be a JSON object' : undefined) },
);

export type AlertmanagerWebhook = z.output<typeof alertmanagerWebhook>;
export type AlertmanagerAlert = AlertmanagerWebhook['alerts'][number];
