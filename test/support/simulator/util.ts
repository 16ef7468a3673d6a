/** Small PHP look-alikes the simulator needs (htmlspecialchars, htmlentities, uniqid). */
import { randomBytes } from 'node:crypto';

const SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' };

/** PHP htmlspecialchars($v, ENT_QUOTES) */
export function htmlspecialchars(v: string): string {
	return v.replace(/[&<>"']/g, (c) => SPECIAL[c]);
}

// Latin-1 named entities 160..255, in code point order (PHP's html_entity table).
const LATIN1 = (
	'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro ' +
	'para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil ' +
	'Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave ' +
	'Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml ' +
	'igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute ' +
	'thorn yuml'
).split(' ');
const EXTRA: Record<number, string> = {
	0x20ac: 'euro', 0x2013: 'ndash', 0x2014: 'mdash', 0x2018: 'lsquo', 0x2019: 'rsquo', 0x201c: 'ldquo',
	0x201d: 'rdquo', 0x2022: 'bull', 0x2026: 'hellip', 0x2122: 'trade', 0x0152: 'OElig', 0x0153: 'oelig',
	0x0160: 'Scaron', 0x0161: 'scaron', 0x0178: 'Yuml', 0x0192: 'fnof', 0x2020: 'dagger', 0x2021: 'Dagger',
};

/** PHP htmlentities($v, ENT_QUOTES, 'UTF-8') for the characters that occur in practice. */
export function htmlentities(v: string): string {
	let out = '';
	for (const ch of v) {
		const cp = ch.codePointAt(0) as number;
		if (SPECIAL[ch]) out += SPECIAL[ch];
		else if (cp >= 160 && cp <= 255) out += `&${LATIN1[cp - 160]};`;
		else if (EXTRA[cp]) out += `&${EXTRA[cp]};`;
		else out += ch;
	}
	return out;
}

const DECODE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#039': "'", '#39': "'", apos: "'" };

/** PHP html_entity_decode for what htmlspecialchars produces. */
export function htmlDecode(v: string): string {
	return v.replace(/&(amp|lt|gt|quot|#0?39|apos);/g, (_m, e: string) => DECODE[e] ?? DECODE['#039']);
}

/** PHP uniqid(): 13 hex digits from the clock. */
export function uniqid(epochMs = Date.now()): string {
	const sec = Math.floor(epochMs / 1000);
	const usec = (epochMs % 1000) * 1000 + Math.floor(Math.random() * 1000);
	return sec.toString(16).padStart(8, '0') + usec.toString(16).padStart(5, '0');
}

export function randomHex(n: number): string {
	return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC */
export function formatDateTime(epochSeconds: number): string {
	return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function parseDateTime(v: string): number {
	return Math.floor(Date.parse(v.replace(' ', 'T') + 'Z') / 1000);
}
