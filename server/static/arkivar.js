/* Arkivar: suggestions under the search box. Progressive enhancement: the page works
   without this file. Served as /static/arkivar.js (CSP script-src 'self').
   The combobox pattern of WAI-ARIA APG (list autocomplete): the input keeps focus,
   aria-activedescendant names the highlighted option. Suggestions are built with
   textContent, never innerHTML: they are index words, i.e. document text.
   Compiled into the server by the Makefile (scripts/embed.sh): edit, then make. */
(function () {
  'use strict';
  var input = document.getElementById('q');
  if (!input || !input.form || !window.fetch) return;
  var form = input.form, box = input.parentNode;
  var list = document.createElement('ul');
  var live = document.createElement('span');
  var items = [], active = -1, timer = 0, ctl = null, seq = 0;
  list.id = 'q-list';
  list.className = 'sugg';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Forslag');
  list.hidden = true;
  live.className = 'sr';
  live.setAttribute('aria-live', 'polite');
  box.appendChild(list);
  box.appendChild(live);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'q-list');
  input.setAttribute('autocomplete', 'off');

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }
  function select(i) {
    if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
    active = i;
    if (i < 0) { input.removeAttribute('aria-activedescendant'); return; }
    items[i].setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', items[i].id);
  }
  function pick(text) {
    input.value = text;
    close();
    form.submit();
  }
  function render(q, words) {
    list.textContent = '';
    items = [];
    active = -1;
    words.forEach(function (w, i) {
      if (typeof w !== 'string') return;
      var li = document.createElement('li');
      li.id = 'q-opt-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-value', w);
      if (w.toLowerCase().indexOf(q.toLowerCase()) === 0 && w.length > q.length) {
        li.appendChild(document.createTextNode(w.slice(0, q.length)));
        var b = document.createElement('b');
        b.textContent = w.slice(q.length);
        li.appendChild(b);
      } else {
        li.textContent = w;
      }
      li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(w); });
      list.appendChild(li);
      items.push(li);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      live.textContent = items.length + ' forslag' +
        '. Brug pil op og ned for at v\u00e6lge.';
    } else {
      close();
    }
  }
  function ask() {
    var q = input.value, my = ++seq;
    if (!q.trim()) { close(); return; }
    if (ctl) ctl.abort();
    ctl = typeof AbortController === 'function' ? new AbortController() : null;
    fetch('/api/suggest?q=' + encodeURIComponent(q),
          {signal: ctl ? ctl.signal : undefined, headers: {Accept: 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (my !== seq || input.value !== q || document.activeElement !== input) return;
        render(q, d && Array.isArray(d[1]) ? d[1].slice(0, 10) : []);
      })
      .catch(function () {});
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener('keydown', function (e) {
    var open = !list.hidden && items.length > 0;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (open) select(active + 1 < items.length ? active + 1 : 0); else ask();
    } else if (e.key === 'ArrowUp') {
      if (open) { e.preventDefault(); select(active > 0 ? active - 1 : items.length - 1); }
    } else if (e.key === 'Enter') {
      if (open && active >= 0) { e.preventDefault(); pick(items[active].getAttribute('data-value')); }
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); close(); }
    } else if (e.key === 'Tab') {
      close();
    }
  });
  input.addEventListener('blur', function () { setTimeout(close, 150); });
  /* '/' jumps to the search box, as on most search sites. */
  document.addEventListener('keydown', function (e) {
    var t = e.target && e.target.tagName;
    if (e.key === '/' && t !== 'INPUT' && t !== 'TEXTAREA' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
