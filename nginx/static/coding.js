/*
 * The coding workspace (docs/coding.md): plain JavaScript, no build
 * step, nothing from elsewhere.  The page (fcgi/coding.c) is a shell;
 * this script reads the study's JSON views and writes through
 * POST /codage/STUDY/actions with the session's CSRF token.  Every text
 * from the server goes into the page as textContent, never as HTML.
 *
 * Offsets: the database counts characters (Unicode code points, as
 * PostgreSQL's substr and REFI-QDA do); the DOM counts UTF-16 units.
 * The conversion is cpOf()/u16Of(), and nothing else converts.
 *
 * Keyboard: Tab to an answer or a transcript, then the arrows move a
 * cursor, Shift+arrows (Ctrl for words, Home/End) extend the
 * selection, Entrée (or « c ») opens the code picker for it (no
 * selection: the whole answer), Échap clears it; Ctrl+Z undoes the last
 * coding action, as the « Annuler » button does.
 */
'use strict';

(function () {
	const body = document.body;
	const study = body.dataset.study;
	const view = body.dataset.view;
	const meta = document.querySelector('meta[name="csrf"]');
	const csrf = meta ? meta.content : '';
	const app = document.getElementById('app');
	const statut = document.getElementById('statut');
	const base = '/codage/' + encodeURIComponent(study);
	const store = window.localStorage;

	let blind = store.getItem('msp-aveugle') === '1';
	let resolved = store.getItem('msp-valide') === '1';
	let book = null;		/* the codebook view */
	let currentItem = store.getItem('msp-item-' + study) || '';
	const undoStack = [];		/* {unit, ids, what} */
	let undoButton = null;
	let refresh = function () { return Promise.resolve(); };

	/* --- small helpers ---------------------------------------------- */

	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === null || v === undefined || v === false)
				continue;
			if (k === 'text')
				e.textContent = v;
			else if (k.startsWith('on'))
				e.addEventListener(k.slice(2), v);
			else
				e.setAttribute(k, v === true ? '' : v);
		}
		for (const k of kids)
			if (k !== null && k !== undefined)
				e.append(k);
		return e;
	}

	function say(text, error) {
		statut.textContent = text;
		statut.className = error ? 'error' : '';
	}

	async function getJSON(url) {
		const r = await fetch(url, { credentials: 'same-origin',
			headers: { Accept: 'application/json' } });
		const doc = await r.json().catch(() => ({}));
		if (!r.ok)
			throw new Error(doc.error || ('Erreur ' + r.status));
		return doc;
	}

	/* One write: the reply's document, or an Error whose message is
	 * the server's French sentence. */
	async function act(what) {
		const r = await fetch(base + '/actions', {
			method: 'POST', credentials: 'same-origin',
			headers: { 'Content-Type': 'application/json',
				'X-CSRF-Token': csrf },
			body: JSON.stringify(what) });
		const doc = await r.json().catch(() => ({}));
		if (!r.ok)
			throw new Error(doc.error || ('Erreur ' + r.status));
		return doc;
	}

	/* Characters (code points) in the first u16 UTF-16 units of s. */
	function cpOf(s, u16) {
		let n = 0;
		for (let i = 0; i < u16; i++) {
			const c = s.charCodeAt(i);
			if (c >= 0xD800 && c < 0xDC00 && i + 1 < u16)
				i++;
			n++;
		}
		return n;
	}

	/* UTF-16 units of the first cp characters of s. */
	function u16Of(s, cp) {
		let i = 0;
		for (let n = 0; n < cp && i < s.length; n++) {
			const c = s.charCodeAt(i);
			i += c >= 0xD800 && c < 0xDC00 ? 2 : 1;
		}
		return i;
	}

	function codeOf(key) {
		return book.codes.find((c) => c.code === key);
	}

	function codeName(key) {
		const c = codeOf(key);
		return c ? c.label : key;
	}

	const kinds = { frein: 'frein', levier: 'levier', other: 'autre',
		resource_need: 'besoin', maturity: 'maturité' };

	function hasText(c) {
		if (c.has === null)
			return 'HAS : à décider';
		if (c.has.length === 0)
			return 'HAS : aucune';
		return 'HAS : ' + c.has.join(', ');
	}

	/* --- undo ------------------------------------------------------- */

	function pushUndo(entry) {
		undoStack.push(entry);
		updateUndo();
	}

	function updateUndo() {
		if (!undoButton)
			return;
		const last = undoStack[undoStack.length - 1];
		undoButton.disabled = !last;
		undoButton.textContent = last ? 'Annuler : ' + last.what :
			'Annuler';
	}

	async function undo() {
		const last = undoStack.pop();
		updateUndo();
		if (!last) {
			say('Rien à annuler.');
			return;
		}
		try {
			await act({ op: 'remove', unit: last.unit,
				ids: last.ids });
			say('Annulé : ' + last.what + '.');
		} catch (e) {
			say('Annulation refusée : ' + e.message, true);
		}
		await refresh();
	}

	document.addEventListener('keydown', (ev) => {
		const t = ev.target;
		if (!(ev.ctrlKey || ev.metaKey) || ev.key.toLowerCase() !== 'z' ||
		    ev.shiftKey)
			return;
		if (t.matches && t.matches('input, textarea, select'))
			return;
		ev.preventDefault();
		undo();
	});

	/* --- the text of an answer or a transcript ------------------------ */

	/*
	 * A text the person selects in, mouse or keyboard: the element
	 * (tabindex 0) whose text nodes, in order, are exactly text;
	 * codings highlighted (<mark>), each passage's codes listed under
	 * it in words.  onPick(start, end) gets character offsets, both
	 * null for the whole text (an answer only).
	 */
	function textPane(text, codings, label, onPick) {
		const bounds = new Set([0, text.length]);
		const spans = [];
		for (const k of codings) {
			if (k.start === null)
				continue;
			const s = u16Of(text, k.start), e = u16Of(text, k.end);
			spans.push([s, e, k]);
			bounds.add(s);
			bounds.add(e);
		}
		const cuts = [...bounds].sort((a, b) => a - b);
		const pane = el('div', { class: 'texte', tabindex: '0',
			role: 'textbox', 'aria-readonly': 'true',
			'aria-multiline': 'true', 'aria-label': label });
		for (let i = 0; i + 1 < cuts.length; i++) {
			const s = cuts[i], e = cuts[i + 1];
			const on = spans.filter((x) => x[0] <= s && x[1] >= e);
			const piece = text.slice(s, e);
			if (on.length === 0) {
				pane.append(document.createTextNode(piece));
				continue;
			}
			pane.append(el('mark', { title: on.map((x) =>
				codeName(x[2].code)).join(', ') }, piece));
		}
		let anchor = 0, focus = 0;

		/* The selection [a, b) of UTF-16 units shown by the browser. */
		function show(a, b) {
			const r = document.createRange();
			const at = (pos) => {
				const w = document.createTreeWalker(pane,
					NodeFilter.SHOW_TEXT);
				let n, left = pos, last = null;
				while ((n = w.nextNode())) {
					if (left <= n.length)
						return [n, left];
					left -= n.length;
					last = n;
				}
				return last ? [last, last.length] : [pane, 0];
			};
			const [sn, so] = at(Math.min(a, b));
			const [en, eo] = at(Math.max(a, b));
			r.setStart(sn, so);
			r.setEnd(en, eo);
			const sel = window.getSelection();
			sel.removeAllRanges();
			sel.addRange(r);
		}

		/* The browser's selection inside the pane, in UTF-16 units. */
		function read() {
			const sel = window.getSelection();
			if (!sel.rangeCount)
				return null;
			const r = sel.getRangeAt(0);
			if (!pane.contains(r.startContainer) ||
			    !pane.contains(r.endContainer))
				return null;
			const pre = document.createRange();
			pre.selectNodeContents(pane);
			pre.setEnd(r.startContainer, r.startOffset);
			const s = pre.toString().length;
			return [s, s + r.toString().length];
		}

		function step(pos, dir, word) {
			const isSpace = (c) => /\s/.test(c);
			let p = pos;
			const move = () => {
				if (dir > 0) {
					const c = text.charCodeAt(p);
					p += c >= 0xD800 && c < 0xDC00 ? 2 : 1;
				} else {
					const c = text.charCodeAt(p - 1);
					p -= c >= 0xDC00 && c < 0xE000 ? 2 : 1;
				}
			};
			if (!word) {
				if ((dir > 0 && p < text.length) ||
				    (dir < 0 && p > 0))
					move();
				return p;
			}
			if (dir > 0) {
				while (p < text.length && isSpace(text[p]))
					move();
				while (p < text.length && !isSpace(text[p]))
					move();
			} else {
				while (p > 0 && isSpace(text[p - 1]))
					move();
				while (p > 0 && !isSpace(text[p - 1]))
					move();
			}
			return p;
		}

		function announce() {
			const a = Math.min(anchor, focus), b = Math.max(anchor,
				focus);
			say(a === b ? 'Curseur au caractère ' + cpOf(text, a) +
				' ; Maj+flèches pour sélectionner.' :
				'Sélection : « ' + text.slice(a, b) +
				' » ; Entrée pour coder.');
		}

		function pick() {
			const got = read();
			let a = null, b = null;
			if (got && got[0] !== got[1]) {
				a = cpOf(text, got[0]);
				b = cpOf(text, got[1]);
			}
			onPick(a, b, a === null ? text :
				text.slice(got[0], got[1]));
		}

		pane.addEventListener('keydown', (ev) => {
			const k = ev.key;
			if (k === 'ArrowRight' || k === 'ArrowLeft' ||
			    k === 'Home' || k === 'End') {
				ev.preventDefault();
				let p = focus;
				if (k === 'Home')
					p = 0;
				else if (k === 'End')
					p = text.length;
				else
					p = step(focus, k === 'ArrowRight' ? 1 : -1,
						ev.ctrlKey);
				focus = p;
				if (!ev.shiftKey)
					anchor = p;
				show(anchor, focus);
				announce();
			} else if (k === 'Enter' || k === 'c') {
				ev.preventDefault();
				pick();
			} else if (k === 'Escape') {
				anchor = focus;
				show(anchor, focus);
				announce();
			}
		});
		pane.addEventListener('mouseup', () => {
			const got = read();
			if (got) {
				anchor = got[0];
				focus = got[1];
			}
		});
		return pane;
	}

	/* The codings of a unit, in words: passage, code, coder, state,
	 * and a button that removes it. */
	function codingList(text, codings, unit) {
		const ul = el('ul', { class: 'codages' });
		for (const k of codings) {
			const passage = k.start === null ? 'toute la réponse' :
				'« ' + text.slice(u16Of(text, k.start),
				u16Of(text, k.end)) + ' »';
			const li = el('li', {}, el('strong', { text:
				codeName(k.code) }), ' — ' + passage + ' (' +
				(k.mine ? 'moi' : k.coder) + ', ' +
				(k.state === 'resolved' ? 'validé' : 'personnel') +
				') ');
			if (k.mine || k.state === 'resolved')
				li.append(el('button', { type: 'button',
					class: 'petit', 'aria-label':
					'Retirer le code ' + codeName(k.code),
					onclick: async () => {
						try {
							await act({ op: 'remove', unit,
								ids: [k.id] });
							say('Codage retiré.');
						} catch (e) {
							say(e.message, true);
						}
						await refresh();
					} }, 'Retirer'));
			ul.append(li);
		}
		if (!codings.length)
			ul.append(el('li', { text: 'Aucun codage.' }));
		return ul;
	}

	/* Memos of a target and a form to add one. */
	function memoBox(memos, target, label) {
		const box = el('details', { class: 'memos' },
			el('summary', { text: 'Mémos (' + memos.length + ')' }));
		const ul = el('ul');
		for (const m of memos)
			ul.append(el('li', {}, el('em', { text: m.author + ' : ' }),
				m.body));
		const ta = el('textarea', { rows: '2', 'aria-label': label });
		const form = el('form', { onsubmit: async (ev) => {
			ev.preventDefault();
			try {
				await act(Object.assign({ op: 'memo',
					body: ta.value }, target));
				say('Mémo enregistré.');
				await refresh();
			} catch (e) {
				say(e.message, true);
			}
		} }, ta, el('button', { type: 'submit' }, 'Ajouter le mémo'));
		box.append(ul, form);
		return box;
	}

	/* --- the code picker ---------------------------------------------- */

	let dialog = null;

	/*
	 * Opens the picker for passage (its text shown); apply(codes) is
	 * called with the chosen keys, after any code created here.
	 */
	function openPicker(passage, apply) {
		if (dialog)
			dialog.remove();
		const search = el('input', { type: 'search', id: 'pick-search',
			autocomplete: 'off' });
		const list = el('fieldset', { class: 'liste' },
			el('legend', { text: 'Codes' }));
		const boxes = [];
		const tree = ordered();
		for (const [c, depth] of tree) {
			const cb = el('input', { type: 'checkbox', value: c.code,
				id: 'pick-' + c.code });
			const row = el('div', { class: 'choix', style:
				'margin-left:' + depth + 'rem' }, cb, ' ',
				el('label', { for: 'pick-' + c.code, text:
				c.label + ' (' + (kinds[c.kind] || c.kind) + ')' }));
			row.dataset.search = fold(c.label + ' ' + c.code + ' ' +
				c.definition);
			boxes.push([cb, row]);
			list.append(row);
		}
		const newLabel = el('input', { type: 'text', id: 'pick-new' });
		const newKind = kindSelect('pick-kind');
		const newHas = hasSelect('pick-has', newKind);
		search.addEventListener('input', () => {
			const q = fold(search.value);
			for (const [, row] of boxes)
				row.hidden = q !== '' && !row.dataset.search.includes(q);
			if (!newLabel.dataset.touched)
				newLabel.value = search.value;
		});
		newLabel.addEventListener('input', () => {
			newLabel.dataset.touched = '1';
		});
		const form = el('form', { method: 'dialog' },
			el('h2', { text: 'Coder le passage' }),
			el('p', { class: 'passage', text: '« ' + passage + ' »' }),
			el('label', { for: 'pick-search', text:
				'Chercher un code' }), search, list,
			el('details', { class: 'nouveau' },
				el('summary', { text: 'Créer un code' }),
				el('label', { for: 'pick-new', text: 'Libellé' }),
				newLabel,
				el('label', { for: 'pick-kind', text: 'Type' }),
				newKind,
				el('label', { for: 'pick-has', text:
					'Catégorie HAS' }), newHas),
			el('p', { class: 'boutons' },
				el('button', { type: 'submit', value: 'ok',
					id: 'pick-ok' }, 'Appliquer'),
				el('button', { type: 'button', onclick: () =>
					dialog.close() }, 'Fermer')));
		dialog = el('dialog', { 'aria-labelledby': 'pick-title' }, form);
		form.querySelector('h2').id = 'pick-title';
		const opener = document.activeElement;
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const codes = boxes.filter(([cb]) => cb.checked)
				.map(([cb]) => cb.value);
			try {
				if (newLabel.value.trim() !== '' &&
				    (newLabel.dataset.touched || codes.length === 0)) {
					const made = await act({ op: 'code_add',
						label: newLabel.value.trim(),
						kind: newKind.value,
						has: newHas.value === '' ? [] :
							[newHas.value] });
					codes.push(made.code);
					say('Code « ' + newLabel.value.trim() +
						' » créé.');
				}
				if (!codes.length) {
					say('Cochez au moins un code.', true);
					return;
				}
				dialog.close();
				await apply(codes);
			} catch (e) {
				say(e.message, true);
			}
		});
		dialog.addEventListener('close', () => {
			dialog.remove();
			dialog = null;
			if (opener && document.contains(opener))
				opener.focus();
		});
		document.body.append(dialog);
		dialog.showModal();
		search.focus();
	}

	function fold(s) {
		return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
			.toLowerCase();
	}

	/* The codebook as a list of [code, depth], parents first. */
	function ordered() {
		const out = [];
		const walk = (parent, depth) => {
			for (const c of book.codes.filter((x) =>
				(x.parent || null) === parent)) {
				out.push([c, depth]);
				walk(c.code, depth + 1);
			}
		};
		walk(null, 0);
		return out;
	}

	function kindSelect(id, value) {
		const s = el('select', { id });
		for (const k of ['frein', 'levier', 'other'])
			s.append(el('option', { value: k, selected: k === value },
				kinds[k]));
		return s;
	}

	/* The HAS categories of kindSel's kind and « aucune » (value ""). */
	function hasSelect(id, kindSel, value) {
		const s = el('select', { id });
		const fill = () => {
			s.replaceChildren(el('option', { value: '' }, 'aucune'));
			for (const h of book.has_categories)
				if (h.kind === kindSel.value)
					s.append(el('option', { value: h.code,
						selected: h.code === value },
						h.code + ' — ' + h.label));
		};
		kindSel.addEventListener('change', fill);
		fill();
		return s;
	}

	/* --- the toolbar: blind mode, validated codings, undo -------------- */

	function toolbar() {
		const blindBox = el('input', { type: 'checkbox', id: 'aveugle',
			checked: blind });
		blindBox.addEventListener('change', async () => {
			blind = blindBox.checked;
			store.setItem('msp-aveugle', blind ? '1' : '0');
			await loadBook();
			await refresh();
		});
		const validBox = el('input', { type: 'checkbox', id: 'valide',
			checked: resolved });
		validBox.addEventListener('change', () => {
			resolved = validBox.checked;
			store.setItem('msp-valide', resolved ? '1' : '0');
		});
		undoButton = el('button', { type: 'button', id: 'annuler',
			onclick: undo }, 'Annuler');
		updateUndo();
		return el('div', { class: 'outils' },
			el('p', {}, blindBox, ' ', el('label', { for: 'aveugle',
				text: 'Mode aveugle : ne voir que mes codages' })),
			el('p', {}, validBox, ' ', el('label', { for: 'valide',
				text: 'Mes codages sont validés (codeur unique : ' +
				'ils comptent dans les rapports)' })),
			el('p', {}, undoButton, ' ', el('span', { class: 'aide',
				text: 'Ctrl+Z annule aussi le dernier codage.' })));
	}

	async function loadBook() {
		book = await getJSON(base + '/donnees.json' +
			(blind ? '?aveugle=1' : ''));
	}

	/* --- the codebook ------------------------------------------------- */

	function codeForm(c, done) {
		const id = (x) => (c ? 'edit-' : 'new-') + x;
		const label = el('input', { type: 'text', id: id('label'),
			required: true, value: c ? c.label : '' });
		const key = el('input', { type: 'text', id: id('key'),
			value: c ? c.code : '', readonly: !!c,
			pattern: '[a-z0-9][a-z0-9_]{0,62}' });
		const parent = el('select', { id: id('parent') },
			el('option', { value: '' }, '(aucun : code de premier ' +
			'niveau)'));
		for (const [p, depth] of ordered())
			if (!c || p.code !== c.code)
				parent.append(el('option', { value: p.code,
					selected: c && c.parent === p.code },
					'\u00a0'.repeat(depth * 2) + p.label));
		const kind = kindSelect(id('kind'), c ? c.kind : 'frein');
		const def = el('textarea', { id: id('def'), rows: '2' });
		def.value = c ? c.definition : '';
		const has = el('fieldset', { class: 'has' },
			el('legend', { text: 'Catégories HAS' }));
		const fillHas = () => {
			has.replaceChildren(el('legend', { text:
				'Catégories HAS (ou aucune)' }));
			const none = el('input', { type: 'checkbox', id: id('none'),
				value: '', checked: c && c.has && !c.has.length });
			has.append(el('span', { class: 'choix' }, none, ' ',
				el('label', { for: id('none'), text: 'aucune' })));
			for (const h of book.has_categories)
				if (h.kind === kind.value)
					has.append(el('span', { class: 'choix' },
						el('input', { type: 'checkbox',
							id: id(h.code), value: h.code,
							checked: c && c.has &&
							c.has.includes(h.code) }), ' ',
						el('label', { for: id(h.code), text:
							h.code + ' ' + h.label })));
		};
		kind.addEventListener('change', fillHas);
		fillHas();
		const form = el('form', { class: 'code', onsubmit: async (ev) => {
			ev.preventDefault();
			const checked = [...has.querySelectorAll('input:checked')]
				.map((x) => x.value);
			const none = checked.includes('');
			const cats = checked.filter((x) => x !== '');
			if (!none && !cats.length) {
				say('Choisissez une catégorie HAS, ou « aucune ».',
					true);
				return;
			}
			if (none && cats.length) {
				say('« aucune » exclut les autres catégories HAS.',
					true);
				return;
			}
			const what = { op: c ? 'code_edit' : 'code_add',
				label: label.value, kind: kind.value,
				definition: def.value, parent: parent.value,
				has: cats };
			if (c)
				what.code = c.code;
			else if (key.value)
				what.code = key.value;
			try {
				await act(what);
				say(c ? 'Code modifié.' : 'Code « ' + label.value +
					' » ajouté.');
				await done();
			} catch (e) {
				say(e.message, true);
			}
		} },
		el('label', { for: id('label'), text: 'Libellé' }), label,
		el('label', { for: id('key'), text: 'Clé (facultative : ' +
			'tirée du libellé)' }), key,
		el('label', { for: id('parent'), text: 'Code parent' }), parent,
		el('label', { for: id('kind'), text: 'Type' }), kind,
		el('label', { for: id('def'), text: 'Définition' }), def, has,
		el('p', {}, el('button', { type: 'submit' }, c ? 'Enregistrer' :
			'Ajouter le code')));
		return form;
	}

	function codebookSection(onChange) {
		const sec = el('section', { 'aria-labelledby': 'h-livre' },
			el('h2', { id: 'h-livre', text: 'Livre de codes' }));
		const filter = el('input', { type: 'search', id: 'filtre' });
		const tree = el('ul', { class: 'arbre' });
		const lists = new Map([[null, tree]]);
		for (const [c] of ordered()) {
			const sub = el('ul');
			const li = el('li', { 'data-code': c.code },
				el('strong', { text: c.label }),
				' ' + c.code + ' · ' + (kinds[c.kind] || c.kind) +
				' · ' + hasText(c) + ' · ' + c.codings +
				' codage' + (c.codings > 1 ? 's' : ''));
			li.dataset.search = fold(c.label + ' ' + c.code + ' ' +
				c.definition);
			if (c.definition)
				li.append(el('p', { class: 'def', text:
					c.definition }));
			const edit = el('details', {}, el('summary', { text:
				'Modifier' }), codeForm(c, onChange));
			li.append(edit, memoBox(c.memos, { code: c.code },
				'Mémo sur le code ' + c.label), sub);
			lists.set(c.code, sub);
			(lists.get(c.parent || null) || tree).append(li);
		}
		if (!book.codes.length)
			tree.append(el('li', { text: 'Aucun code pour le moment.' }));
		filter.addEventListener('input', () => {
			const q = fold(filter.value);
			for (const li of tree.querySelectorAll('li[data-code]'))
				li.hidden = q !== '' &&
					!li.dataset.search.includes(q) &&
					!li.querySelector('li[data-search*="' +
						CSS.escape(q) + '"]');
		});
		const from = el('select', { id: 'fusion-de' });
		const into = el('select', { id: 'fusion-vers' });
		for (const [c] of ordered()) {
			from.append(el('option', { value: c.code }, c.label));
			into.append(el('option', { value: c.code }, c.label));
		}
		const merge = el('form', { class: 'fusion', onsubmit: async (ev) => {
			ev.preventDefault();
			try {
				const r = await act({ op: 'code_merge',
					from: from.value, into: into.value });
				say('Codes fusionnés : ' + r.moved +
					' codage(s) déplacé(s).');
				await onChange();
			} catch (e) {
				say(e.message, true);
			}
		} }, el('h3', { text: 'Fusionner deux codes' }),
		el('label', { for: 'fusion-de', text: 'Le code' }), from,
		el('label', { for: 'fusion-vers', text:
			'disparaît dans le code' }), into,
		el('p', { class: 'aide', text: 'Ses codages, mémos et ' +
			'sous-codes passent au second.' }),
		el('p', {}, el('button', { type: 'submit' }, 'Fusionner')));
		sec.append(el('label', { for: 'filtre', text:
			'Filtrer les codes' }), filter, tree,
		el('details', { class: 'ajout' }, el('summary', { text:
			'Ajouter un code' }), codeForm(null, onChange)), merge);
		return sec;
	}

	/* --- the open answers --------------------------------------------- */

	function answerCard(a) {
		const head = el('p', { class: 'meta' },
			el('strong', { text: 'Réponse n° ' + a.answer }),
			' · équipe ' + a.structure + ' · ' + a.region +
			' · stade : ' + (a.stage || 'non classable') +
			(a.priority ? ' · priorité : ' + a.priority : ''));
		const card = el('article', { class: 'reponse', id: 'r' +
			a.answer });
		const pane = textPane(a.text, a.codings, 'Réponse n° ' +
			a.answer, (start, end, passage) => openPicker(passage,
			async (codes) => {
				const made = await act({ op: 'apply', unit: 'answer',
					answer: a.answer, codes, start, end,
					resolved });
				pushUndo({ unit: 'answer', ids: made.ids, what:
					codes.map(codeName).join(', ') +
					' sur la réponse ' + a.answer });
				say('Codé : ' + codes.map(codeName).join(', ') + '.');
				await refresh(a.answer);
			}));
		card.append(head, pane, codingList(a.text, a.codings, 'answer'));
		if (a.interviews.length) {
			const p = el('p', { class: 'joint' }, 'Entretien de ' +
				'l\'équipe : ');
			for (const i of a.interviews)
				p.append(el('a', { href: base + '/entretiens/' +
					i.participant }, 'P' + i.participant), ' (' +
					(i.codes.length ? i.codes.map(codeName)
						.join(', ') : 'non codé') + ') ');
			card.append(p);
		}
		card.append(memoBox(a.memos, { answer: a.answer },
			'Mémo sur la réponse ' + a.answer));
		return card;
	}

	async function workspace() {
		await loadBook();
		app.replaceChildren();
		const answers = el('section', { 'aria-labelledby': 'h-rep' },
			el('h2', { id: 'h-rep', text: 'Réponses ouvertes' }));
		const itemSel = el('select', { id: 'item' },
			el('option', { value: '' }, '— choisir un item —'));
		for (const it of book.items)
			itemSel.append(el('option', { value: it.key, selected:
				it.key === currentItem }, it.label + ' (' +
				it.answers + ')'));
		const list = el('div', { id: 'reponses' });
		answers.append(el('label', { for: 'item', text: 'Item' }),
			itemSel, list);
		const onBook = () => refresh();
		let bookSec = codebookSection(onBook);
		const first = bookSec;

		async function loadAnswers(focusAnswer) {
			if (!currentItem) {
				list.replaceChildren(el('p', { text:
					'Choisissez un item pour coder ses réponses.' }));
				return;
			}
			const rows = await getJSON(base + '/donnees.json?item=' +
				encodeURIComponent(currentItem) +
				(blind ? '&aveugle=1' : ''));
			list.replaceChildren(...rows.map(answerCard));
			if (!rows.length)
				list.append(el('p', { text: 'Aucune réponse.' }));
			if (focusAnswer) {
				const t = document.querySelector('#r' + focusAnswer +
					' .texte');
				if (t)
					t.focus();
			}
		}
		itemSel.addEventListener('change', () => {
			currentItem = itemSel.value;
			store.setItem('msp-item-' + study, currentItem);
			loadAnswers();
		});
		refresh = async (focusAnswer) => {
			await loadBook();
			const fresh = codebookSection(onBook);
			bookSec.replaceWith(fresh);
			bookSec = fresh;
			await loadAnswers(focusAnswer);
		};
		const interviews = el('section', { 'aria-labelledby': 'h-ent' },
			el('h2', { id: 'h-ent', text: 'Entretiens' }));
		const ul = el('ul');
		for (const i of book.interviews)
			ul.append(el('li', {}, el('a', { href: base +
				'/entretiens/' + i.participant }, 'P' +
				i.participant), ' — ' + (i.profession || '') +
				(i.transcript ? '' : ' (sans transcription)')));
		interviews.append(ul, el('p', {}, el('a', { href: base +
			'/entretiens/nouveau' }, 'Nouvel entretien'), ' · ',
			el('a', { href: base + '/accord' },
				'Accord entre codeurs')));
		app.append(toolbar(), first, answers, interviews);
		await loadAnswers();
	}

	/* --- an interview ------------------------------------------------- */

	function interviewForm(iv, participant) {
		const f = (name, label, input) => {
			input.id = 'iv-' + name;
			return [el('label', { for: input.id, text: label }), input];
		};
		const num = el('input', { type: 'number', min: '1',
			max: '32767', required: true, value: participant || '',
			readonly: !!participant });
		const structure = el('input', { type: 'number', min: '1',
			value: iv && iv.structure ? iv.structure : '' });
		const prof = el('input', { type: 'text',
			value: iv && iv.profession ? iv.profession : '' });
		const stage = el('select', {}, el('option', { value: '' },
			'(non renseigné)'));
		for (const s of book.stages)
			stage.append(el('option', { value: s.stage, selected:
				iv && iv.stage === s.stage }, s.label));
		const date = el('input', { type: 'date',
			value: iv && iv.date ? iv.date : '' });
		const dur = el('input', { type: 'number', min: '1', max: '600',
			value: iv && iv.duration ? iv.duration : '' });
		const consent = el('input', { type: 'checkbox',
			checked: iv ? iv.consent : false });
		const deleted = el('input', { type: 'date',
			value: iv && iv.recording_deleted_on ?
				iv.recording_deleted_on : '' });
		const anon = el('input', { type: 'checkbox',
			checked: iv ? iv.anonymised : false });
		const form = el('form', { class: 'entretien', onsubmit:
			async (ev) => {
				ev.preventDefault();
				const n = parseInt(num.value, 10);
				try {
					await act({ op: 'interview', participant: n,
						structure: structure.value ?
							parseInt(structure.value, 10) : null,
						profession: prof.value, stage: stage.value,
						date: date.value,
						duration_min: dur.value ?
							parseInt(dur.value, 10) : null,
						consent: consent.checked,
						recording_deleted_on: deleted.value,
						anonymised: anon.checked });
					if (!participant) {
						window.location.assign(base +
							'/entretiens/' + n);
						return;
					}
					say('Entretien enregistré.');
					await refresh();
				} catch (e) {
					say(e.message, true);
				}
			} },
		...f('num', 'Numéro du participant (P…)', num),
		...f('structure', 'Structure (numéro de l\'équipe, facultatif)',
			structure),
		...f('prof', 'Profession', prof),
		...f('stage', 'Stade sur le continuum', stage),
		...f('date', 'Date de l\'entretien', date),
		...f('dur', 'Durée (minutes)', dur),
		el('p', {}, consent, ' ', el('label', { for: 'iv-consent',
			text: 'Consentement recueilli' })),
		...f('deleted', 'Enregistrement supprimé le', deleted),
		el('p', {}, anon, ' ', el('label', { for: 'iv-anon',
			text: 'Transcription anonymisée' })),
		el('p', {}, el('button', { type: 'submit' }, 'Enregistrer')));
		consent.id = 'iv-consent';
		anon.id = 'iv-anon';
		return el('section', { 'aria-labelledby': 'h-meta' },
			el('h2', { id: 'h-meta', text: 'Métadonnées' }), form);
	}

	function transcriptForm(iv, participant) {
		const ta = el('textarea', { id: 'transcription', rows: '8' });
		ta.value = iv.transcript || '';
		const file = el('input', { type: 'file', id: 'fichier',
			accept: '.txt,text/plain' });
		file.addEventListener('change', async () => {
			if (!file.files.length)
				return;
			const bytes = await file.files[0].arrayBuffer();
			try {
				ta.value = new TextDecoder('utf-8', { fatal: true })
					.decode(bytes);
				say('Fichier lu : vérifiez puis enregistrez.');
			} catch (e) {
				say('Ce fichier n\'est pas du texte UTF-8.', true);
			}
		});
		return el('details', { class: 'transcription', open:
			!iv.transcript }, el('summary', { text: iv.transcript ?
			'Remplacer la transcription' : 'Transcription' }),
		el('form', { onsubmit: async (ev) => {
			ev.preventDefault();
			try {
				await act({ op: 'transcript', participant,
					body: ta.value });
				say('Transcription enregistrée.');
				await refresh();
			} catch (e) {
				say(e.message, true);
			}
		} }, el('label', { for: 'transcription', text:
			'Transcription anonymisée (collez-la ici)' }), ta,
		el('label', { for: 'fichier', text:
			'… ou chargez un fichier texte (UTF-8)' }), file,
		el('p', {}, el('button', { type: 'submit' },
			'Enregistrer la transcription'))));
	}

	function teamSection(iv) {
		const sec = el('section', { 'aria-labelledby': 'h-equipe' },
			el('h2', { id: 'h-equipe', text:
				'Le questionnaire de l\'équipe' }));
		if (iv.structure === null) {
			sec.append(el('p', { text: 'Entretien rattaché à aucune ' +
				'structure : indiquez son numéro d\'équipe ci-dessus ' +
				'pour voir ses réponses.' }));
			return sec;
		}
		if (!iv.team.length)
			sec.append(el('p', { text: 'Cette équipe n\'a pas répondu ' +
				'au questionnaire de l\'étude.' }));
		for (const r of iv.team) {
			sec.append(el('p', { class: 'meta' }, 'Réponse n° ' +
				r.response + ' · stade : ' + (r.stage ||
				'non classable') + ' · priorité : ' +
				(r.priority || 'non renseignée')));
			const dl = el('dl');
			for (const a of r.answers)
				dl.append(el('dt', { text: a.label }),
					el('dd', {}, a.text, el('br'), el('span',
						{ class: 'aide', text: 'Codes : ' +
						(a.codes.length ? a.codes.map(codeName)
							.join(', ') : 'aucun') })));
			sec.append(dl);
		}
		return sec;
	}

	async function interview() {
		const participant = body.dataset.participant ?
			parseInt(body.dataset.participant, 10) : null;
		await loadBook();
		if (!participant) {
			app.replaceChildren(interviewForm(null, null));
			return;
		}
		const iv = await getJSON(base + '/entretiens/' + participant +
			'.json' + (blind ? '?aveugle=1' : ''));
		const coding = el('section', { 'aria-labelledby': 'h-coder' },
			el('h2', { id: 'h-coder', text: 'Coder la transcription' }));
		if (iv.transcript) {
			coding.append(textPane(iv.transcript, iv.segments,
				'Transcription de P' + participant,
				(start, end, passage) => {
					if (start === null) {
						say('Sélectionnez un passage de la ' +
							'transcription.', true);
						return;
					}
					openPicker(passage, async (codes) => {
						const made = await act({ op: 'apply',
							unit: 'segment', participant, codes,
							start, end, resolved });
						pushUndo({ unit: 'segment', ids: made.ids,
							what: codes.map(codeName).join(', ') +
							' sur P' + participant });
						say('Codé : ' + codes.map(codeName)
							.join(', ') + '.');
						await refresh();
					});
				}), codingList(iv.transcript, iv.segments,
				'segment'));
		} else {
			coding.append(el('p', { text: 'Pas encore de ' +
				'transcription.' }));
		}
		coding.append(memoBox(iv.memos, { participant },
			'Mémo sur l\'entretien P' + participant));
		app.replaceChildren(toolbar(), interviewForm(iv, participant),
			transcriptForm(iv, participant), coding, teamSection(iv),
			el('p', {}, el('a', { href: base }, 'Retour au codage')));
	}

	/* --- start -------------------------------------------------------- */

	const run = view === 'entretien' ? interview : workspace;
	if (view === 'entretien')
		refresh = async () => {
			await interview();
			const pane = app.querySelector('.texte');
			if (pane)
				pane.focus();
		};
	run().catch((e) => say(e.message, true));
})();
