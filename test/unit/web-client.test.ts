import { gql } from '@apollo/client';
import { ErrorCode } from '../../src/shared/errors';
import { createCache, liveWallets } from '../../web/src/lib/apollo';
import { describeError, ERROR_SENTENCES } from '../../web/src/lib/errors';
import { GraphQLRequestError } from '../../web/src/lib/session';
import fc from 'fast-check';
import { formatMinor as serverFormatMinor, priceInMinor as serverPriceInMinor } from '../../src/shared/minor-units';
import { amountOf, capShare, creditDisplay, formatCount, formatCredits, formatMinor, formatPrice, fromMicros, percentOf, priceInMinor, toMicros, validateAmount } from '../../web/src/lib/money';
import { zonedDay, zonedDayStart } from '../../web/src/lib/time';
import { usageCsvName } from '../../web/src/lib/export';
import { featureLabel, platformFilter, quantityText } from '../../web/src/lib/usage-text';

/*
 * The dashboard's pure parts (web/src/lib), without a browser or a database: the cache rule
 * that keeps the balance from going back, exact credit formatting, the error table, dates in
 * the account's timezone.
 */

describe('the wallet in the normalized cache', () => {
  const Q = gql`
    query {
      me {
        id
        wallet {
          id
          balance
          held
          status
          version
        }
      }
    }
  `;
  const write = (cache: ReturnType<typeof createCache>, balance: string, version: string) =>
    cache.writeQuery({ query: Q, data: { me: { __typename: 'Account', id: 'a', wallet: { __typename: 'Wallet', id: 'w', balance, held: '0', status: 'ACTIVE', version } } } });
  const read = (cache: ReturnType<typeof createCache>) => (cache.readQuery({ query: Q }) as { me: { wallet: { balance: string; status: string } } }).me.wallet;

  afterEach(() => liveWallets.clear());

  test('a query answered before a live event but written after it cannot take the balance back', () => {
    const cache = createCache();
    write(cache, '5', '3');
    liveWallets.set('w', { balance: '0', held: '0', spentThisMonth: '5', status: 'PAUSED', version: '5', lifetimeSpend: '5', lifetimePurchased: '0' });
    write(cache, '4.5', '4'); // in flight while version 5 was pushed
    expect(read(cache)).toMatchObject({ balance: '0', status: 'PAUSED' });
    write(cache, '10', '6'); // a newer answer (a top-up) wins
    expect(read(cache)).toMatchObject({ balance: '10', status: 'ACTIVE' });
  });
});

describe('credits on screen', () => {
  const usd = creditDisplay({ currency: 'usd', creditValue: '1.00' });
  const credits = creditDisplay({ currency: 'usd', creditValue: '0.09' });

  test('money keeps every digit the API sent (at least two decimals), its whole part grouped by thousands', () => {
    expect(formatCredits('4.75', usd)).toBe('$4.75');
    expect(formatCredits('5', usd)).toBe('$5.00');
    expect(formatCredits('0.0213', usd)).toBe('$0.0213');
    expect(formatCredits('-3.5', usd)).toBe('-$3.50');
    expect(formatCredits('999.99', usd)).toBe('$999.99');
    expect(formatCredits('1234.5', usd)).toBe('$1,234.50');
    expect(formatCredits('1234567.5', usd)).toBe('$1,234,567.50');
    expect(formatCredits('-1234567.000001', usd)).toBe('-$1,234,567.000001');
    // The API's largest amount, beyond a float's exact digits: still every digit.
    expect(formatCredits('999999999999.999999', usd)).toBe('$999,999,999,999.999999');
    expect(formatCredits('100000', usd)).toBe('$100,000.00');
  });

  test('abstract credits are shown as credits, grouped by thousands', () => {
    expect(formatCredits('50', credits)).toBe('50 credits');
    expect(formatCredits('1', credits)).toBe('1 credit');
    expect(formatCredits('-1', credits)).toBe('-1 credit');
    expect(formatCredits('1234567', credits)).toBe('1,234,567 credits');
    expect(formatCredits('-1234.0213', credits)).toBe('-1,234.0213 credits');
    expect(formatCredits('999999999999.999999', credits)).toBe('999,999,999,999.999999 credits');
  });

  test('prices the API formatted are grouped by thousands, every digit kept', () => {
    expect(formatPrice('9.00', 'usd')).toBe('$9.00');
    expect(formatPrice('1234567.50', 'usd')).toBe('$1,234,567.50');
    expect(formatPrice('-1200.00', 'usd')).toBe('-$1,200.00');
  });

  test('counts are grouped by thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-4321)).toBe('-4,321');
    expect(formatCount(12345.5)).toBe('12,345.5');
  });

  test('amounts are exact bigint micro-credits', () => {
    expect(toMicros('0.000001')).toBe(1n);
    expect(fromMicros(toMicros('12.500000'))).toBe('12.5');
    expect(percentOf('0.75', '1')).toBe(75);
    expect(percentOf('1', '0')).toBe(0);
    // A cap's share: just past it is never "100 %", which reads as exactly at it.
    expect([capShare('4', '3.98'), capShare('4', '3'), capShare('3', '3'), capShare('2.999999', '3'), capShare('1', '0'), capShare('12000', '10')]).toEqual([
      'over 100 %',
      '133 %',
      '100 %',
      '99 %',
      '100 %',
      '120,000 %',
    ]);
  });

  test('typed amounts are validated with sentences', () => {
    expect(validateAmount('lots')).toBe('Enter a number like 25 or 12.50.');
    expect(validateAmount('1.0000001')).toBe('Use at most 6 digits after the decimal point.');
    expect(validateAmount('0')).toBe('Enter an amount greater than zero.');
    expect(validateAmount('0', { allowZero: true })).toBeNull();
    expect(validateAmount(' 12.5 ')).toBeNull();
    // The API's largest amount, and one micro-credit more (the API's refusal was a raw GraphQL message).
    expect(validateAmount('1000000000000')).toBeNull();
    expect(validateAmount('1000000000000.000001')).toBe('Enter at most 1,000,000,000,000.');
    expect(validateAmount('99999999999999999999')).toBe('Enter at most 1,000,000,000,000.');
    // Amounts as the screen shows them: thousands commas are read, misplaced ones refused.
    expect([validateAmount('1,234.50'), amountOf(' 1,234.50 '), amountOf('1,000,000'), amountOf('12.5')]).toEqual([null, '1234.50', '1000000', '12.5']);
    expect([validateAmount('1,23'), validateAmount('12,5'), validateAmount('1,2345'), validateAmount(',100')]).toEqual(Array(4).fill('Enter a number like 25 or 12.50.'));
  });
});

describe('what auto top-up charges for an amount', () => {
  test('the page prices typed credits with the server\'s code: rounded up to a whole smallest unit, the amount read exactly', () => {
    expect(formatMinor(priceInMinor('111.111', '0.09', 'usd'), 'usd')).toBe('10.00'); // 9.99999, rounded up
    expect(formatMinor(priceInMinor('12.345', '1.00', 'usd'), 'usd')).toBe('12.35');
    expect(formatMinor(priceInMinor('10', '15', 'jpy'), 'jpy')).toBe('150');
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 18n }),
        fc.constantFrom('1.00', '0.09', '0.095', '1', '15', '0.000001', '2.5'),
        fc.constantFrom('usd', 'eur', 'jpy', 'KRW'),
        (micros, creditValue, currency) => {
          const server = serverPriceInMinor(micros, creditValue, currency);
          expect(priceInMinor(fromMicros(micros), creditValue, currency)).toBe(server);
          expect(formatMinor(server, currency)).toBe(serverFormatMinor(server, currency));
        },
      ),
    );
  });
});

describe('usage in the history table', () => {
  test('quantities agree with their unit in number; provider-cost usage reads "at cost"', () => {
    expect(quantityText(1, 'second')).toBe('1 second');
    expect(quantityText(30, 'second')).toBe('30 seconds');
    expect(quantityText(2.5, 'image')).toBe('2.5 images');
    expect(quantityText(86400, 'second')).toBe('86,400 seconds');
    expect(quantityText(1, 'provider cost')).toBe('at cost');
    expect(quantityText(null, 'caption')).toBeNull();
  });

  test('a typed platform is matched to the spelling the usage was given with (the API filter is exact)', () => {
    const known = ['instagram', 'TikTok', 'tiktok'];
    expect(platformFilter('Instagram', known)).toBe('instagram');
    expect(platformFilter('  INSTAGRAM ', known)).toBe('instagram');
    expect(platformFilter('tiktok', known)).toBe('tiktok'); // a known spelling as it is
    expect(platformFilter('TIKTOK', known)).toBe('TikTok'); // several: the first, the most spent
    expect(platformFilter('YouTube', known)).toBe('YouTube'); // unknown: as typed
    expect(platformFilter('Instagram', [])).toBe('Instagram');
    expect(platformFilter('   ', known)).toBe('');
  });

  test('features show their price-book label, and their key when the book no longer has them', () => {
    const features = [{ feature: 'talking_head', label: 'Talking head video (HeyGen)' }];
    expect(featureLabel('talking_head', features)).toBe('Talking head video (HeyGen)');
    expect(featureLabel('retired_feature', features)).toBe('retired_feature');
  });
});

describe('errors', () => {
  test('every error code of the contract has a sentence', () => {
    const codes = [...Object.values(ErrorCode), 'SERVICE_UNAVAILABLE'];
    expect(codes.filter((c) => !ERROR_SENTENCES[c])).toEqual([]);
  });

  test("a variable the API refused is described by the scalar's own sentence, not graphql-js's wrapper", () => {
    const refusal = (message: string) => new GraphQLRequestError([{ message, extensions: { code: 'BAD_USER_INPUT' } }]);
    const wrapped = refusal('Variable "$input" got invalid value "1e99" at "input.monthlyBudgetCap"; Expected type "Credits". "1e99" is not a valid Credits amount: use a decimal');
    expect(describeError(wrapped).sentence).toBe('Some of what you entered is not valid. "1e99" is not a valid Credits amount: use a decimal.');
    const plain = refusal('monthlyBudgetCap must not be negative');
    expect(describeError(plain).sentence).toBe('Some of what you entered is not valid. Monthly budget cap must not be negative.');
  });

  test('the field an API message names by its path is given in words; other messages are left as they are', () => {
    const refusal = (message: string) => describeError(new GraphQLRequestError([{ message, extensions: { code: 'BAD_USER_INPUT' } }])).sentence;
    expect(refusal('input.name must be at most 100 characters')).toBe('Some of what you entered is not valid. Name must be at most 100 characters.');
    expect(refusal('input.url must be at most 2048 characters')).toBe('Some of what you entered is not valid. URL must be at most 2048 characters.');
    expect(refusal('input.burnAlertThreshold must not be negative')).toBe('Some of what you entered is not valid. Burn alert threshold must not be negative.');
    expect(refusal('amount must be greater than 0')).toBe('Some of what you entered is not valid. Amount must be greater than 0.');
    expect(refusal('give packId or amount, not both')).toBe('Some of what you entered is not valid. Give packId or amount, not both.');
  });

  test("a refused log-in says how long to wait, from the server's retryAfterSeconds", () => {
    const limited = (retryAfterSeconds?: number) =>
      describeError(new GraphQLRequestError([{ message: 'Too many failed log-ins; try again in 1 seconds', extensions: { code: 'RATE_LIMITED', retryAfterSeconds } }])).sentence;
    expect(limited(42)).toBe('Too many attempts. Please try again in 42 seconds.');
    expect(limited(1)).toBe('Too many attempts. Please try again in 1 second.');
    expect(limited(119)).toBe('Too many attempts. Please try again in 119 seconds.');
    expect(limited(900)).toBe('Too many attempts. Please try again in 15 minutes.');
    expect(limited(601)).toBe('Too many attempts. Please try again in 11 minutes.');
    expect(limited(undefined)).toBe(ERROR_SENTENCES.RATE_LIMITED); // none given (too many operations on a socket)
  });
});

describe('days in the account timezone', () => {
  test('local midnight as an instant, across time zones and DST', () => {
    expect(zonedDayStart('2026-03-04', 'UTC')).toBe('2026-03-04T00:00:00.000Z');
    expect(zonedDayStart('2026-03-04', 'Pacific/Kiritimati')).toBe('2026-03-03T10:00:00.000Z');
    expect(zonedDayStart('2026-03-29', 'Europe/Berlin')).toBe('2026-03-28T23:00:00.000Z'); // the DST change day starts in winter time
    expect(zonedDayStart('2026-03-30', 'Europe/Berlin')).toBe('2026-03-29T22:00:00.000Z');
    expect(zonedDayStart('2026-01-15', 'Asia/Kolkata')).toBe('2026-01-14T18:30:00.000Z');
  });

  test("the day it is in the account's timezone, which the CSV export's file is named after (not the UTC date)", () => {
    const evening = Date.parse('2026-03-04T20:00:00Z');
    expect(zonedDay(evening, 'UTC')).toBe('2026-03-04');
    expect(zonedDay(evening, 'Pacific/Kiritimati')).toBe('2026-03-05'); // UTC+14
    expect(zonedDay(Date.parse('2026-03-05T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-03-04');
    expect(zonedDay(Date.parse('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29'); // the DST change day
    expect(zonedDay(Date.parse('2026-12-31T23:59:59Z'), 'Asia/Tokyo')).toBe('2027-01-01');
    expect(usageCsvName(evening, 'Pacific/Kiritimati')).toBe('usage-2026-03-05.csv');
    expect(usageCsvName(evening, 'America/New_York')).toBe('usage-2026-03-04.csv');
  });
});
