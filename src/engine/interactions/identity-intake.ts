import { createRequire } from 'node:module';

/** Loaded on the first phone number checked: most processes never ask for one (~2 MB of heap). */
let phoneNumbers: typeof import('libphonenumber-js') | undefined;
const parsePhoneNumberFromString: typeof import('libphonenumber-js').parsePhoneNumberFromString = (...args) =>
  (phoneNumbers ??= createRequire(import.meta.url)('libphonenumber-js') as typeof import('libphonenumber-js')).parsePhoneNumberFromString(...args);
import type { InteractionFieldError } from '../../protocol/index.js';
import { isRecord, type InteractionKind, type Validation } from './kind.js';

export type IdentityField = 'name' | 'email' | 'phone';

export interface IdentityIntakeSpec {
  fields: Array<{ key: IdentityField; required: boolean; label?: string }>;
}

export type IdentityValues = Partial<Record<IdentityField, string>>;

const FIELD_KEYS: readonly IdentityField[] = ['name', 'email', 'phone'];
const MAX_NAME_CHARS = 200;
const MAX_EMAIL_CHARS = 254;
const MAX_LABEL_CHARS = 80;
const MAX_RAW_PHONE_CHARS = 40;

// One @, no spaces, a dotted domain whose labels do not start or end with a hyphen. Deliverability is
// what OTP proves; this only keeps obvious typos and injection attempts out.
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const DESCRIPTIONS: Record<IdentityField, string> = {
  name: 'their name',
  email: 'their email address',
  phone: 'their phone number, with the country code',
};

function validateField(key: IdentityField, raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  switch (key) {
    case 'name':
      if (value.length > MAX_NAME_CHARS) return { error: `Name must be at most ${MAX_NAME_CHARS} characters.` };
      if (CONTROL.test(value)) return { error: 'Name contains characters that are not allowed.' };
      return { value };
    case 'email':
      if (value.length > MAX_EMAIL_CHARS || !EMAIL.test(value)) return { error: 'Enter a valid email address, like name@example.com.' };
      return { value };
    case 'phone': {
      const phone = value.length <= MAX_RAW_PHONE_CHARS ? parsePhoneNumberFromString(value.startsWith('00') ? `+${value.slice(2)}` : value) : undefined;
      if (!phone || !phone.isValid()) return { error: 'Enter a valid phone number including the country code, like +1 415 555 0123.' };
      return { value: phone.number };
    }
  }
}

/** `identity_intake`: name / email / phone lead capture (capability `identity_form`). */
export const identityIntake: InteractionKind<IdentityIntakeSpec, IdentityValues> = {
  kind: 'identity_intake',
  capability: 'identity_form',
  toolName: 'request_identity_intake',
  toolDescription:
    "Ask the visitor for their contact details (name, email, phone) with a form. Use it when you need a way to reach them or to verify who they are. The result is the visitor's validated answer, or that they declined.",
  toolParameters: {
    type: 'object',
    properties: {
      fields: {
        type: 'array',
        minItems: 1,
        description: 'The fields to collect, in display order.',
        items: {
          type: 'object',
          properties: {
            key: { type: 'string', enum: [...FIELD_KEYS] },
            required: { type: 'boolean' },
            label: { type: 'string', description: 'Optional label shown instead of the default.' },
          },
          required: ['key', 'required'],
        },
      },
      reason: { type: 'string', description: 'Why you need the details, shown on the form (e.g. "to send you the quote").' },
    },
    required: ['fields', 'reason'],
  },

  parseSpec(args) {
    const fields = args.fields;
    if (!Array.isArray(fields) || fields.length === 0) return { ok: false, error: "'fields' must be a non-empty array" };
    const seen = new Set<IdentityField>();
    const spec: IdentityIntakeSpec = { fields: [] };
    for (const field of fields) {
      if (!isRecord(field) || typeof field.key !== 'string' || !FIELD_KEYS.includes(field.key as IdentityField)) {
        return { ok: false, error: `each field needs a 'key' of ${FIELD_KEYS.join(', ')}` };
      }
      const key = field.key as IdentityField;
      if (seen.has(key)) return { ok: false, error: `field '${key}' is listed twice` };
      seen.add(key);
      const label = typeof field.label === 'string' && field.label.trim() !== '' ? field.label.trim().slice(0, MAX_LABEL_CHARS) : undefined;
      spec.fields.push({ key, required: field.required === true, ...(label ? { label } : {}) });
    }
    return { ok: true, spec };
  },

  validate(spec, values): Validation<IdentityValues> {
    const errors: InteractionFieldError[] = [];
    const clean: IdentityValues = {};
    const asked = new Set(spec.fields.map((f) => f.key));
    for (const key of Object.keys(values)) {
      if (!asked.has(key as IdentityField)) errors.push({ field: key, message: 'This field was not requested.' });
    }
    for (const { key, required } of spec.fields) {
      const raw = values[key];
      if (raw !== undefined && raw !== null && typeof raw !== 'string') {
        errors.push({ field: key, message: 'Must be text.' });
        continue;
      }
      if (typeof raw !== 'string' || raw.trim() === '') {
        if (required) errors.push({ field: key, message: 'This field is required.' });
        continue;
      }
      const checked = validateField(key, raw);
      if ('error' in checked) errors.push({ field: key, message: checked.error });
      else clean[key] = checked.value;
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values: clean };
  },

  fallback(spec, reason) {
    const wanted = spec.fields.map((f) => `${DESCRIPTIONS[f.key]} (${f.required ? 'required' : 'optional'})`).join(', ');
    return (
      "This visitor's client cannot display a form, so no form was shown. Ask them in plain text, in your reply, for " +
      `${wanted}${reason ? ` — ${reason}` : ''}. Collect the answers from the conversation; do not call ${identityIntake.toolName} again for them.`
    );
  },
};
