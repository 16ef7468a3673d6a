/** Optional realistic seed data: a few hundred records across the common modules and one Invoice with lines. */
import { Operations } from './ops';
import { SimRecord, wsId } from './store';
import { formatDateTime } from './util';

const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Luis', 'Maya', 'Noah', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tara'];
const LAST = ['Müller', 'Smith', "O'Neill", 'García', 'Novak', 'Kowalski', 'Rossi', 'Dubois', 'Jensen', 'Silva', 'Ivanova', 'Tanaka', 'Okafor', 'Brown', 'Nguyen'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Gringotts', 'Oceanic', 'Aperture'];
const SUFFIX = ['GmbH', 'Ltd', 'Inc.', 'S.A.', 'AG', '& Co'];
const CITIES = ['Berlin', 'London', 'Madrid', 'Paris', 'Warsaw', 'Rome', 'Oslo', 'Lisbon', 'Tokyo', 'Lagos'];
const INDUSTRY = ['Banking', 'Communications', 'Construction', 'Education', 'Finance', 'Healthcare', 'Manufacturing', 'Retail', 'Technology'];
const STAGES = ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Negotiation or Review', 'Closed Won', 'Closed Lost'];

export function seedRecords(ops: Operations): void {
	const admin = ops.store.users.get('19x1')!;
	const labuser = ops.store.users.get('19x5')!;
	const start = ops.clock.now() - 30 * 86400;
	let t = start;
	const stamp = (rec: SimRecord) => {
		t += 97;
		rec.values.createdtime = formatDateTime(t);
		ops.store.setMtime(rec, t);
	};
	const owner = (i: number) => (i % 5 === 4 ? labuser.id : admin.id);
	const make = (module: string, i: number, el: Record<string, unknown>) => {
		const { rec } = ops.createRecord(admin, module, { assigned_user_id: owner(i), ...el });
		stamp(rec);
		return rec;
	};
	const accounts: string[] = [];
	for (let i = 0; i < 40; i++) {
		const name = `${COMPANY[i % 15]} ${CITIES[(i + Math.floor(i / 15)) % 10]} ${SUFFIX[i % 6]}`;
		accounts.push(wsId(make('Accounts', i, {
			accountname: name,
			industry: INDUSTRY[i % INDUSTRY.length],
			phone: `+49 30 ${String(1000000 + i * 7919).slice(0, 7)}`,
			website: `https://www.${COMPANY[i % COMPANY.length].toLowerCase()}${i}.example.com`,
			bill_city: CITIES[i % CITIES.length],
			employees: String(10 + i * 13),
			annual_revenue: String(100000 + i * 25000),
		})));
	}
	for (let i = 0; i < 150; i++) {
		const first = FIRST[i % FIRST.length];
		const last = LAST[(i * 7) % LAST.length];
		make('Contacts', i, {
			firstname: first,
			lastname: last,
			email: `${first.toLowerCase()}.${i}@example.com`,
			phone: `+44 20 7946 ${String(1000 + i).slice(-4)}`,
			account_id: i % 3 === 2 ? '' : accounts[i % accounts.length],
			mailingcity: CITIES[i % CITIES.length],
			leadsource: ['Web Site', 'Cold Call', 'Trade Show', 'Partner'][i % 4],
			birthday: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
		});
	}
	for (let i = 0; i < 60; i++) {
		make('Leads', i, {
			firstname: FIRST[(i + 3) % FIRST.length],
			lastname: LAST[(i + 5) % LAST.length],
			company: `${COMPANY[(i + 4) % COMPANY.length]} Prospects ${i}`,
			email: `lead${i}@example.org`,
			leadstatus: ['Not Contacted', 'Attempted to Contact', 'Contacted', 'Hot', 'Warm', 'Cold'][i % 6],
			city: CITIES[(i + 2) % CITIES.length],
		});
	}
	for (let i = 0; i < 40; i++) {
		make('Potentials', i, {
			potentialname: `Deal ${i + 1} – ${COMPANY[i % COMPANY.length]}`,
			related_to: accounts[i % accounts.length],
			closingdate: formatDateTime(start + 60 * 86400 + i * 86400).slice(0, 10),
			sales_stage: STAGES[i % STAGES.length],
			amount: String(5000 + i * 1250),
		});
	}
	const products: string[] = [];
	for (let i = 0; i < 20; i++) {
		products.push(wsId(make('Products', 0, {
			productname: `Widget ${String.fromCharCode(65 + i)}-${100 + i}`,
			unit_price: String(9.5 + i * 4),
			productcode: `WID-${100 + i}`,
			qtyinstock: String(50 + i),
			discontinued: '1',
		})));
	}
	for (let i = 0; i < 40; i++) {
		make('HelpDesk', i, {
			ticket_title: `Ticket ${i + 1}: ${['Login fails', 'Invoice wrong', 'Slow page', 'Feature request', 'Data export'][i % 5]}`,
			ticketpriorities: ['Low', 'Normal', 'High', 'Urgent'][i % 4],
			ticketstatus: ['Open', 'In Progress', 'Wait For Response', 'Closed'][i % 4],
			parent_id: accounts[i % accounts.length],
			description: 'Reported by <b>customer</b> & forwarded',
		});
	}
	make('Invoice', 0, {
		subject: 'Seed invoice 1',
		account_id: accounts[0],
		bill_street: '1 Seed Street',
		ship_street: '1 Seed Street',
		invoicestatus: 'Created',
		hdnTaxType: 'group',
		LineItems: [
			{ productid: products[0], quantity: '3', listprice: '10.00' },
			{ productid: products[1], quantity: '1', listprice: '25.50', comment: 'express' },
		],
	});
}
