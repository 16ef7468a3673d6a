/**
 * Convert Lead on a real Vtiger: the lead of this run becomes an organization, a contact and an opportunity of
 * this run (all tagged, all deleted). Stock 8.3.0 on PHP 8 crashes on convertlead (HTTP 500): the error says so.
 */
import { describeLive, liveCapabilities, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { mapped, rl, runVtiger, shown } from './helpers';

describeLive('live: convert lead', () => {
	const records = new LiveRecords(['Leads', 'Contacts', 'Accounts', 'Potentials']);
	let raw: LiveClient;

	beforeAll(async () => {
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	it('converts a lead into an organization, a contact and an opportunity with the fields given', async () => {
		const caps = await liveCapabilities();
		const lastname = liveTag('lead');
		const lead = records.track(
			(await raw.call<{ id: string }>('create', {
				elementType: 'Leads',
				element: { lastname, firstname: 'Lea', company: liveTag('lead-co'), email: 'lea@example.com', assigned_user_id: raw.userId },
			})).id,
		);
		const h = liveHarness();
		const r = await runVtiger(h, {
			resource: 'record',
			operation: 'convertLead',
			leadId: rl(lead),
			createOrganization: true,
			organizationFields: mapped({ accountname: liveTag('lead-org') }),
			createContact: true,
			contactFields: mapped({}),
			createOpportunity: true,
			opportunityFields: mapped({ potentialname: liveTag('lead-deal'), closingdate: '2030-12-31', sales_stage: 'Prospecting' }),
			assignedTo: rl(raw.userId),
		}, undefined, true);
		if (!caps.convertLead) {
			expect(r.errors).toEqual([expect.stringMatching(/^Vtiger "convertlead" failed: Vtiger crashed \(HTTP 500, empty body\)/)]);
			return;
		}
		expect(r.errors).toEqual([]);
		const out = r.items[0].json;
		expect(out).toMatchObject({
			leadId: lead,
			organizationId: expect.stringMatching(/^11x\d+$/),
			contactId: expect.stringMatching(/^12x\d+$/),
			opportunityId: expect.stringMatching(/^13x\d+$/),
		});
		for (const id of [out.organizationId, out.contactId, out.opportunityId]) records.track(String(id));
		expect(await raw.call('retrieve', { id: out.contactId })).toMatchObject({ lastname, firstname: 'Lea', account_id: out.organizationId });
		expect(await raw.call('retrieve', { id: out.organizationId })).toMatchObject({ accountname: liveTag('lead-org') });
		expect(await raw.call('retrieve', { id: out.opportunityId })).toMatchObject({ potentialname: liveTag('lead-deal'), closingdate: '2030-12-31', sales_stage: 'Prospecting' });
		const again = await runVtiger(h, { resource: 'record', operation: 'convertLead', leadId: rl(lead), createContact: false, assignedTo: rl(raw.userId) }, undefined, true);
		expect(again.errors.join(' ')).toMatch(/Vtiger "convertlead" failed: /);
		expect(shown({ ...again, errors: [] })).toBe('');
	});
});
