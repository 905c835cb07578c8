import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { createErrorFormatter, isDatabaseUnavailable, unavailableStatus } from './errors';
import { createLogger } from './logger';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['both addresses refused', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: undefined })],
    ['a server shutting down', withCode('57P01', 'terminating connection due to administrator command')],
    ['a server starting', withCode('57P03', 'the database system is starting up')],
    ['a connection failure', withCode('08006')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a closed PGlite', new Error('PGlite is closed')],
    ['inside TypeORM', new QueryFailedError('SELECT 1', [], withCode('57P01'))],
    ['inside graphql-js', new GraphQLError('wrapped', { originalError: withCode('ECONNREFUSED') })],
  ])('%s: yes', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('23505'))],
    ['an invalid text value', new QueryFailedError('INSERT', [], withCode('22P02', 'invalid byte sequence for encoding "UTF8": 0x00'))],
    ['a deadlock', withCode('40P01')],
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s: no', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('the error formatter and the HTTP status', () => {
  const format = createErrorFormatter(createLogger('silent'));
  const unavailable = format({ message: 'connect ECONNREFUSED', path: ['trackEvents'] }, new GraphQLError('x', { originalError: withCode('ECONNREFUSED') }));

  it('answers SERVICE_UNAVAILABLE, without the driver’s message', () => {
    expect(unavailable).toEqual({
      message: 'The database is unavailable; nothing was done. Retry later.',
      path: ['trackEvents'],
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' },
    });
  });

  it('is 503 only when nothing was produced', () => {
    expect(unavailableStatus([unavailable], null)).toBe(503);
    expect(unavailableStatus([unavailable], undefined)).toBe(503);
    expect(unavailableStatus([unavailable], { holdout: null })).toBe(503);
    expect(unavailableStatus([unavailable], { sdkConfig: {}, holdout: null })).toBeUndefined();
    expect(unavailableStatus([{ message: 'm', extensions: { code: 'NOT_FOUND' } }], null)).toBeUndefined();
    expect(unavailableStatus(undefined, { a: 1 })).toBeUndefined();
  });
});
