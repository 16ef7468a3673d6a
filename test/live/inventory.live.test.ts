/**
 * Get With Line Items on a real Vtiger. Stock 8.3.0 on PHP 8 crashes on retrieve_inventory (HTTP 500).
 * (Creating inventory records and changing their lines is issue #11 defect 4; its live tests live with it.)
 * Reading an inventory record the CRM already has changes nothing, so the test reads one if there is one.
 */
import { describeLive, liveCapabilities, liveClient, liveHarness } from './env';
import { GONE, rl, runVtiger, shown } from './helpers';

describeLive('live: line items', () => {
	it('Get With Line Items returns the record with its lines, or says the server crashes on it', async () => {
		const caps = await liveCapabilities();
		const raw = await liveClient();
		const [quote] = await raw.call<Array<{ id: string; subject: string }>>('query', { query: 'SELECT id, subject FROM Quotes LIMIT 1;' });
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'record', module: 'Quotes', operation: 'getWithLineItems', recordId: rl(quote?.id ?? '4x999999999') }, undefined, true);
		if (!caps.retrieveInventory) {
			expect(r.errors).toEqual([expect.stringMatching(/^Vtiger "retrieve_inventory" failed: Vtiger crashed \(HTTP 500, empty body\)/)]);
		} else if (quote) {
			expect(shown(r)).toBe('');
			expect(r.items[0].json).toMatchObject({ id: quote.id, subject: quote.subject, LineItems: expect.any(Array) });
		} else {
			expect(r.errors).toEqual([expect.stringMatching(new RegExp(`^Vtiger "retrieve_inventory" failed: .*${GONE}`))]);
		}
	});

	it('a record of a module without line items is refused before any request', async () => {
		const r = await runVtiger(liveHarness(), { resource: 'record', module: 'Contacts', operation: 'getWithLineItems', recordId: rl('12x1') });
		expect(r.error?.message).toMatch(/line items/i);
	});
});
