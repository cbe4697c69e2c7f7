import { describe, expect, it } from 'vitest';
import { HIDDEN, leafName, redact, secretLooking } from './redact.js';

describe('redact', () => {
  it('hides what looks like a secret by its name or its form, and keeps references and plain values', () => {
    expect(secretLooking('DB_PASSWORD', 'hunter2')).toBe(true);
    expect(secretLooking('apikey', 'dd-0123')).toBe(true);
    expect(secretLooking('DATABASE_URL', 'postgres://app:pw@db/app')).toBe(true);
    expect(secretLooking('DD_API_KEY', 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:k')).toBe(false);
    expect(secretLooking('LOG_LEVEL', 'info')).toBe(false);
  });

  it('hides values deep in what a diff renders: name/value items, map entries, a leaf by its path', () => {
    const value = {
      environment: [
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      options: { apikey: 'dd-0123', Name: 'datadog' },
    };

    expect(redact(value)).toEqual({
      environment: [
        { name: 'DB_PASSWORD', value: HIDDEN },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      options: { apikey: HIDDEN, Name: 'datadog' },
    });
    expect(redact('hunter2', leafName('containerDefinitions[app].environment[DB_PASSWORD]'))).toBe(HIDDEN);
    expect(redact('dd-0123', leafName('containerDefinitions[app].logConfiguration.options.apikey'))).toBe(HIDDEN);
  });
});
