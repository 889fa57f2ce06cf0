import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));

/** The published protocol lives beside the checkout; tests read it in place and never copy it. */
export const SPEC_DIR = resolve(process.env.SMOOTH_SPEC_DIR ?? join(here, '..', '..', '..', 'shared', 'spec'));
export const SPEC_AVAILABLE = existsSync(join(SPEC_DIR, 'events'));

if (!SPEC_AVAILABLE) {
  console.warn(`\n*** ../shared/spec not found at ${SPEC_DIR}: schema validation and conformance tests are SKIPPED ***\n`);
}

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function compiler(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const folder of ['domain', 'events', 'actions', 'interactions']) {
      const dir = join(SPEC_DIR, folder);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object);
      }
    }
  }
  return ajv;
}

function schemaId(ref: string): string {
  return `https://smooth-agent.dev/spec/${ref}`;
}

/** The project's own protocol extension (handoff): schemas kept in src/protocol/schemas, never in the spec. */
export const EXTENSION_DIR = join(here, '..', '..', 'src', 'protocol', 'schemas');
const EXTENSION_BASE = 'https://smooth-operator.dev/protocol-extension/';
let extensionLoaded = false;

function loadExtension(): Ajv2020 {
  const ajv = compiler();
  if (!extensionLoaded) {
    extensionLoaded = true;
    for (const folder of ['events', 'actions']) {
      const dir = join(EXTENSION_DIR, folder);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object);
    }
  }
  return ajv;
}

/** Validates against a schema of the project's extension (`events/handoff-state.schema.json`, …). */
export function extensionSchemaErrors(ref: string, value: unknown): string | undefined {
  const validate = loadExtension().getSchema(`${EXTENSION_BASE}${ref}`);
  if (!validate) return `no extension schema ${ref} in ${EXTENSION_DIR}`;
  if (validate(value)) return undefined;
  return `${ref}: ${loadExtension().errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 500)}`;
}

/** Extension event types; every other type is validated against the spec. */
const EXTENSION_EVENTS = new Set(['handoff_state', 'human_message', 'handoff_update', 'handoff_message']);

/** Validates one outgoing event against `events/<type>.schema.json`; returns error text or undefined. */
export function eventSchemaErrors(event: { type?: unknown }): string | undefined {
  if (typeof event.type !== 'string') return 'event has no string type';
  const ref = `events/${event.type.replaceAll('_', '-')}.schema.json`;
  if (EXTENSION_EVENTS.has(event.type)) return extensionSchemaErrors(ref, event);
  return schemaErrors(ref, event);
}

/** Validates against a schema (optionally `file#/$defs/Name`) of the spec. */
export function schemaErrors(ref: string, value: unknown): string | undefined {
  let validate = validators.get(ref);
  if (!validate) {
    const found = compiler().getSchema(schemaId(ref));
    if (!found) return `no schema ${ref} in ${SPEC_DIR}`;
    validate = found;
    validators.set(ref, validate);
  }
  if (validate(value)) return undefined;
  return `${ref}: ${compiler().errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 500)}`;
}
