import { describe, expect, it } from 'vitest';

import { ApiProblem, errorMessage, toProblem } from './problem';

describe('problems', () => {
  const body = {
    type: 'urn:converge:problem:invalid-input',
    title: 'Invalid input',
    status: 422,
    detail: '2 fields are invalid',
    errors: [
      { field: 'name', message: 'is required' },
      { field: 'rule.rules[0].value', message: 'must be an amount like 1499.00' },
    ],
  };

  it('keep per-field errors', () => {
    const p = toProblem(422, body);
    expect(p).toBeInstanceOf(ApiProblem);
    expect(p.messagesFor('name')).toEqual(['is required']);
    expect(p.under('rule').map((e) => e.field)).toEqual(['rule.rules[0].value']);
    expect(p.under('rul')).toEqual([]);
    expect(errorMessage(p)).toBe('name: is required; rule.rules[0].value: must be an amount like 1499.00');
  });

  it('say something useful without a problem body', () => {
    expect(toProblem(502, null, 'Bad Gateway').detail).toBe('The server answered 502.');
    expect(toProblem(500, 'upstream died').detail).toBe('upstream died');
    expect(errorMessage(toProblem(403, { title: 'Forbidden', detail: 'viewers cannot' }))).toBe('viewers cannot');
  });
});
