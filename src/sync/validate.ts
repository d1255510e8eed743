import { Ajv, type ValidateFunction } from 'ajv';
import { ACK, COMMAND_DATA, COMMAND_ENVELOPE, EVENT_DATA, EVENT_ENVELOPE, INVENTORY, STATUS, TELEMETRY, type MessageSpec } from './contract.js';

// Compiled on first use, not at import: the daemon only ever needs the command validators (and
// those only once upstream sends a command); compiling every event schema at start cost the
// demo locker about 8 MB of resident memory for validators only the tests call.
let ajv: Ajv | undefined;
const compile = (spec: MessageSpec): ValidateFunction => {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: true, validateFormats: true });
    // ISO 8601 UTC timestamps as lockerd writes them and upstream sends them.
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);
  }
  return ajv.compile(spec.schema);
};
const map = (specs: Record<string, MessageSpec>): Map<string, ValidateFunction> => new Map(Object.entries(specs).map(([k, v]) => [k, compile(v)]));

/** Each validator compiled the first time it is read, then kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
const compiled = {
  eventEnvelope: once(() => compile(EVENT_ENVELOPE)),
  eventData: once(() => map(EVENT_DATA)),
  status: once(() => compile(STATUS)),
  inventory: once(() => compile(INVENTORY)),
  telemetry: once(() => compile(TELEMETRY)),
  ack: once(() => compile(ACK)),
  commandEnvelope: once(() => compile(COMMAND_ENVELOPE)),
  commandData: once(() => map(COMMAND_DATA)),
};

export const validators = {
  get eventEnvelope(): ValidateFunction { return compiled.eventEnvelope(); },
  get eventData(): Map<string, ValidateFunction> { return compiled.eventData(); },
  get status(): ValidateFunction { return compiled.status(); },
  get inventory(): ValidateFunction { return compiled.inventory(); },
  get telemetry(): ValidateFunction { return compiled.telemetry(); },
  get ack(): ValidateFunction { return compiled.ack(); },
  get commandEnvelope(): ValidateFunction { return compiled.commandEnvelope(); },
  get commandData(): Map<string, ValidateFunction> { return compiled.commandData(); },
};

/** ajv's errors as one short sentence, e.g. `data.unit must match pattern "^[0-9]{1,8}$"`. */
export function describeErrors(validate: ValidateFunction, root: string): string {
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => {
      const at = `${root}${e.instancePath.replace(/\//g, '.')}`;
      if (e.keyword === 'additionalProperties') return `${at} has an unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
      if (e.keyword === 'required') return `${at} lacks "${String((e.params as { missingProperty: string }).missingProperty)}"`;
      return `${at} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** Validates an event envelope and its data by type; returns the problems, or null when valid. */
export function checkEvent(message: unknown): string | null {
  if (!validators.eventEnvelope(message)) return describeErrors(validators.eventEnvelope, 'event');
  const m = message as { type: string; data: unknown };
  const v = validators.eventData.get(m.type)!;
  return v(m.data) ? null : describeErrors(v, `event(${m.type}).data`);
}
