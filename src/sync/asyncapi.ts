import { stringify } from 'yaml';
import { ACK, COMMAND_DATA, COMMAND_ENVELOPE, EVENT_DATA, EVENT_ENVELOPE, INVENTORY, STATUS, TELEMETRY, type MessageSpec } from './contract.js';

type Doc = Record<string, unknown>;

/** `parcel.deposited` → `parcelDeposited`: AsyncAPI component keys may not contain dots. */
const key = (type: string): string => type.replace(/[._](\w)/g, (_, c: string) => c.toUpperCase());

function message(name: string, spec: MessageSpec, payload: unknown = spec.schema, example: unknown = spec.example): Doc {
  return { name, title: name, summary: spec.summary, contentType: 'application/json', payload, examples: [{ name: `${key(name)}Example`, payload: example }] };
}

function envelopeFor(kind: 'event' | 'command', type: string, data: MessageSpec): { payload: Doc; example: Doc } {
  const envelope = kind === 'event' ? EVENT_ENVELOPE : COMMAND_ENVELOPE;
  const schema = envelope.schema as { properties: Record<string, unknown> };
  const payload = { ...envelope.schema, properties: { ...schema.properties, type: { const: type }, data: data.schema } };
  const example = { ...(envelope.example as Doc), type, data: data.example };
  return { payload, example };
}

/**
 * The AsyncAPI 3 document of the MQTT contract, built from the same schemas the daemon validates
 * with. `npm run contract` writes it to docs/mqtt.asyncapi.yaml; a test keeps the two equal.
 */
export function asyncApiDocument(version: string): Doc {
  const messages: Doc = {
    status: message('status', STATUS),
    inventory: message('inventory', INVENTORY),
    telemetry: message('telemetry', TELEMETRY),
    ack: message('ack', ACK),
  };
  const eventRefs: Doc = {};
  for (const [type, spec] of Object.entries(EVENT_DATA)) {
    const { payload, example } = envelopeFor('event', type, spec);
    messages[key(type)] = message(type, spec, payload, example);
    eventRefs[key(type)] = { $ref: `#/components/messages/${key(type)}` };
  }
  const commandRefs: Doc = {};
  for (const [type, spec] of Object.entries(COMMAND_DATA)) {
    const { payload, example } = envelopeFor('command', type, spec);
    const k = `${key(type)}Command`;
    messages[k] = message(type, spec, payload, example);
    commandRefs[k] = { $ref: `#/components/messages/${k}` };
  }
  const parameters = {
    prefix: { description: 'mqtt.prefix from the config (default "lockers"); 1 to 5 levels' },
    kioskId: { description: 'the locker\'s kioskId' },
  };
  const channel = (leaf: string, description: string, refs: Doc): Doc => ({ address: `{prefix}/{kioskId}/${leaf}`, description, parameters, messages: refs });
  const ref = (name: string): Doc => ({ [name]: { $ref: `#/components/messages/${name}` } });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'lockerd MQTT contract',
      version,
      description:
        'What a lockerd parcel locker publishes and accepts. MQTT 5 (3.1.1 works too). Topics are at most 7 levels deep and payloads under 128 KB. ' +
        'Events are published at least once, in seq order; upstream drops duplicates by id. Generated from src/sync/contract.ts by `npm run contract`: do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      production: { host: 'broker.example.net:8883', protocol: 'mqtts', description: 'TLS, client certificates supported', bindings: { mqtt: { clientId: '<kioskId>', cleanSession: false, keepAlive: 30 } } },
    },
    channels: {
      status: channel('status', 'Retained. QoS 1. online on connect; the offline will when the connection dies.', ref('status')),
      events: channel('events', 'QoS 1, not retained. One event envelope per message.', eventRefs),
      inventory: channel('inventory', 'Retained. QoS 1. Published on change.', ref('inventory')),
      telemetry: channel('telemetry', 'QoS 0, not retained. Periodic health.', ref('telemetry')),
      commands: channel('commands', 'QoS 1, to the locker. One command envelope per message.', commandRefs),
      acks: channel('acks', 'QoS 1, from the locker. One acknowledgement per command step.', ref('ack')),
    },
    operations: {
      publishStatus: { action: 'send', channel: { $ref: '#/channels/status' }, bindings: { mqtt: { qos: 1, retain: true } } },
      publishEvents: { action: 'send', channel: { $ref: '#/channels/events' }, bindings: { mqtt: { qos: 1, retain: false } } },
      publishInventory: { action: 'send', channel: { $ref: '#/channels/inventory' }, bindings: { mqtt: { qos: 1, retain: true } } },
      publishTelemetry: { action: 'send', channel: { $ref: '#/channels/telemetry' }, bindings: { mqtt: { qos: 0, retain: false } } },
      receiveCommands: { action: 'receive', channel: { $ref: '#/channels/commands' }, bindings: { mqtt: { qos: 1 } } },
      publishAcks: { action: 'send', channel: { $ref: '#/channels/acks' }, bindings: { mqtt: { qos: 1, retain: false } } },
    },
    components: { messages },
  };
}

/** The YAML text of the document, as committed in docs/mqtt.asyncapi.yaml. */
export function renderAsyncApi(v: string): string {
  return `# Generated by \`npm run contract\` from src/sync/contract.ts. Do not edit by hand.\n${stringify(asyncApiDocument(v), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
