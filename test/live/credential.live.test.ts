import { describeLive, liveHarness, liveTarget } from './env';

describeLive('live: credential', () => {
	it('logs in with the access key and lists the modules (the Test button)', async () => {
		const h = liveHarness();
		const result = await h.testCredential();
		expect(result).toEqual({ status: 'OK', message: expect.any(String) });
		const modules = await h.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'getAll' } });
		expect(modules.error).toBeUndefined();
		expect(modules.items.map((item) => item.json.name)).toEqual(expect.arrayContaining(['Contacts', 'Accounts']));
	});

	it('says the access key is wrong, without printing it', async () => {
		const target = liveTarget()!;
		const h = liveHarness('admin', { accessKey: 'notTheKey123' });
		const result = await h.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('notTheKey123');
		expect(result.message).not.toContain(target.accessKey);
	});
});
