import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';

const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

describe.each<Profile>(['positional', 'stock-8.3-php8'])('Record › Convert Lead (%s)', (profile) => {
	let sim: Simulator;
	let h: Harness;

	beforeAll(async () => {
		sim = await startSimulator({ profile });
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => sim.clearLog());

	const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
	const lead = () => String(sim.store.insert('Leads', { lastname: 'Lead To Convert', company: 'Lead Co', email: 'lead@example.com' }, { ownerId: '19x5' }).id);

	if (profile === 'positional') {
		test('organization + contact + opportunity with their fields; records owned like the lead', async () => {
			const id = lead();
			const r = await h.runNode({
				type: 'vtiger',
				parameters: {
					resource: 'record',
					operation: 'convertLead',
					leadId: rl(id),
					createOrganization: true,
					organizationFields: { mappingMode: 'defineBelow', value: { accountname: 'Lead Co (converted)' } },
					createContact: true,
					contactFields: { mappingMode: 'defineBelow', value: {} },
					createOpportunity: true,
					opportunityFields: { mappingMode: 'defineBelow', value: { potentialname: 'Big deal', closingdate: '2026-12-31', sales_stage: 'Prospecting' } },
				},
			});
			expect(r.error).toBeUndefined();
			const out = r.items[0].json;
			expect(out).toMatchObject({ leadId: id, organizationId: expect.stringMatching(/^11x\d+$/), contactId: expect.stringMatching(/^12x\d+$/), opportunityId: expect.stringMatching(/^13x\d+$/) });
			const element = JSON.parse(logOf('convertlead')[0].params.element) as Record<string, unknown>;
			expect(element).toEqual({
				leadId: id,
				assignedTo: '19x5',
				entities: {
					Accounts: { create: true, name: 'Accounts', accountname: 'Lead Co (converted)' },
					Contacts: { create: true, name: 'Contacts' },
					Potentials: { create: true, name: 'Potentials', potentialname: 'Big deal', closingdate: '2026-12-31', sales_stage: 'Prospecting' },
				},
			});
			expect(sim.store.get(String(out.contactId))).toMatchObject({ lastname: 'Lead To Convert', account_id: out.organizationId, assigned_user_id: '19x5' });
			expect(sim.store.get(String(out.opportunityId))).toMatchObject({ potentialname: 'Big deal' });
		});

		test('converting twice is Vtiger\'s LEAD_ALREADY_CONVERTED; Continue On Fail keeps going', async () => {
			const id = lead();
			const params = { resource: 'record', operation: 'convertLead', leadId: rl(id), createContact: false, assignedTo: rl('19x1') };
			const first = await h.runNode({ type: 'vtiger', parameters: params });
			expect(first.items[0].json).toEqual({ leadId: id, organizationId: expect.any(String), Accounts: expect.any(String) });
			const again = await h.runNode({ type: 'vtiger', parameters: params, continueOnFail: true });
			expect(String(again.items[0].json.error)).toBe('Vtiger "convertlead" failed: LEAD_ALREADY_CONVERTED – Lead is already converted');
			expect(logOf('retrieve')).toHaveLength(0);
		});
	} else {
		test('stock 8.3.0 on PHP 8 crashes: the error names convertlead and the known bug', async () => {
			const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'convertLead', leadId: rl(lead()) } });
			expect(r.error?.message).toBe('Vtiger "convertlead" failed: Vtiger crashed (HTTP 500, empty body) running "convertlead"');
			expect(r.error?.description).toMatch(/known bug of stock Vtiger 8\.3\.0 on PHP 8/);
		});
	}

	test('nothing to create, or an ID of another module, fails before convertlead', async () => {
		const none = await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', operation: 'convertLead', leadId: rl(lead()), createOrganization: false, createContact: false },
		});
		expect(none.error?.message).toBe('Create: choose at least one of organization, contact and opportunity');
		const wrong = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'convertLead', leadId: rl('12x3') } });
		expect(wrong.error?.message).toBe('Lead: "12x3" is not a Lead ID: Lead IDs start with 10x');
		expect(logOf('convertlead')).toHaveLength(0);
	});
});
