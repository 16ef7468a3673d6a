/**
 * Makes an inventory record (Quotes, Invoice, SalesOrder, PurchaseOrder) the way a user does, in Vtiger's web UI
 * (login form, then the module's edit form): 8.3.0's webservice cannot create one (INVALID_ID_ATTRIBUTE with
 * LineItems, MANDATORY_FIELDS_MISSING without; lab, both servers). Used by the live line-item test and by the
 * conformance replay (test/conformance/live-target.ts) for the invoice the recordings' lab made in the web UI.
 * No jest here: the replay runs outside jest.
 */
export interface WebUiLogin {
	/** the webservice.php URL (the web UI is beside it) */
	url: string;
	username: string;
	/** the user's web password (the lab's VT_PASSWORD), not the access key */
	password: string;
}

export interface WebUiLine {
	productCrmid: string;
	quantity: number;
	listPrice: number;
}

/** A signed-in web UI session of `login`: `send` posts (with a body) or gets a page with its cookies, `token` reads
 * a page's CSRF token as the form on it would send it. */
export async function signIn(login: WebUiLogin): Promise<{
	send: (path: string, body?: Record<string, string>) => Promise<Response>;
	token: (path: string) => Promise<string>;
}> {
	const base = login.url.replace(/\/webservice\.php$/, '').replace(/\/+$/, '');
	let cookie = '';
	const send = async (path: string, body?: Record<string, string>): Promise<Response> => {
		const response = await fetch(`${base}/${path}`, {
			method: body ? 'POST' : 'GET',
			body: body ? new URLSearchParams(body) : undefined,
			headers: cookie ? { cookie } : {},
			redirect: 'manual',
		});
		const set = response.headers.getSetCookie().map((l) => l.split(';')[0]);
		if (set.length) cookie = [...new Map([...cookie.split('; '), ...set].filter(Boolean).map((c) => [c.split('=')[0], c])).values()].join('; ');
		return response;
	};
	const token = async (path: string) => /csrfMagicToken = "([^"]*)"/.exec(await (await send(path)).text())?.[1] ?? '';
	await send('index.php', { __vtrftk: await token('index.php'), module: 'Users', action: 'Login', username: login.username, password: login.password });
	return { send, token };
}

/**
 * Saves a record through the module's edit form (record '' = new; a crmid = that record's edit form), as a user's
 * browser posts it: the form's fields as given (inventory: totalProductCount, hdnProductId1, qty1, listPrice1,
 * discount_type1, tax1_group_percentage or tax1_percentage1, charges[1][value], subtotal, pre_tax_total, total…,
 * the totals being what the form's JavaScript computed). Its crmid.
 */
export async function saveInWebUi(login: WebUiLogin, module: string, form: Record<string, string>, record = ''): Promise<string> {
	const { send, token } = await signIn(login);
	const saved = await send('index.php', {
		__vtrftk: await token(`index.php?module=${module}&view=Edit${record ? `&record=${record}` : ''}`),
		module,
		action: 'Save',
		record,
		...form,
	});
	const crmid = /record=(\d+)/.exec(saved.headers.get('location') ?? '')?.[1];
	if (!crmid) throw new Error(`the web UI did not save the ${module} record (HTTP ${saved.status})`);
	return crmid;
}

/**
 * Deletes a record through the web UI (its list view's Delete). The lab's webservice cannot delete an inventory record
 * in individual tax mode: VtigerInventoryOperation::delete removes the lines, then reads the record back and
 * Inventory_Record_Model::getProducts adds '' to a number for a record without lines (TypeError on PHP 8, HTTP 500:
 * the record stays, without its lines). inventory-extension.live.test.ts cleans up with it.
 */
export async function deleteInWebUi(login: WebUiLogin, module: string, record: string): Promise<void> {
	const { send, token } = await signIn(login);
	const deleted = await send('index.php', { __vtrftk: await token(`index.php?module=${module}&view=List`), module, action: 'Delete', record });
	if (deleted.status !== 302) throw new Error(`the web UI did not delete ${module} ${record} (HTTP ${deleted.status})`);
}

/** Creates the record with one product line and group tax; its crmid. `fields` are the form's (references as crmids). */
export async function createInventoryInWebUi(login: WebUiLogin, module: string, fields: Record<string, string>, line: WebUiLine): Promise<string> {
	const total = String(line.quantity * line.listPrice);
	return await saveInWebUi(login, module, {
		...fields,
		taxtype: 'group',
		currency_id: '1',
		conversion_rate: '1',
		totalProductCount: '1',
		hdnProductId1: line.productCrmid,
		lineItemType1: 'Products',
		qty1: String(line.quantity),
		listPrice1: String(line.listPrice),
		discount_type1: 'zero',
		discount_type_final: 'zero',
		subtotal: total,
		pre_tax_total: total,
		total,
		shipping_handling_charge: '0',
		adjustment: '0',
	});
}
