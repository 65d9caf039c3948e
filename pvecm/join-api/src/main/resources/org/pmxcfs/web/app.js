// The cluster page: login, cluster status with live refresh, create/join as tasks, join information.
'use strict';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;
const TASK_POLL_MS = 1000;
const MAX_LINKS = 8;

class ApiError extends Error {
  constructor(status, message, errors) {
    super(message);
    this.status = status;
    this.errors = errors || {};
  }
}

const state = { csrf: sessionStorage.getItem('csrf'), user: sessionStorage.getItem('user'), refresh: null, clustered: false, node: null };

async function api(method, path, params) {
  let url = '/api2/json' + path;
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (params && method === 'GET') {
    url += '?' + new URLSearchParams(params);
  } else if (params) {
    opts.body = new URLSearchParams(params);
  }
  if (method !== 'GET' && state.csrf) {
    opts.headers.CSRFPreventionToken = state.csrf;
  }
  let r;
  try {
    r = await fetch(url, opts);
  } catch (e) {
    throw new ApiError(0, 'connection to this node failed - is pmxcfs running? (' + e.message + ')');
  }
  let body = {};
  try {
    body = await r.json();
  } catch (e) {
    // an empty or non-JSON answer: the status says enough
  }
  if (!r.ok) {
    if (r.status === 401 && path !== '/access/ticket') {
      showLogin('Your session has ended - please log in again.');
    }
    throw new ApiError(r.status, body.message || r.statusText, body.errors);
  }
  return body.data;
}

// ---- field errors: shown right below the field that caused them
function clearErrors(prefix) {
  document.querySelectorAll('[id^="err-' + prefix + '"]').forEach((e) => { e.textContent = ''; });
  document.querySelectorAll('[aria-invalid="true"]').forEach((e) => e.removeAttribute('aria-invalid'));
}
function fieldError(prefix, name, message) {
  const target = $('err-' + prefix + '-' + name) || $('err-' + prefix + '-general');
  target.textContent = message;
  const input = document.querySelector('[aria-describedby~="' + target.id + '"]');
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}
function showApiError(prefix, e) {
  const names = Object.keys(e.errors);
  if (names.length === 0) {
    fieldError(prefix, 'general', e.message);
  }
  names.forEach((n) => fieldError(prefix, n, e.errors[n]));
}

// ---- login
function showLogin(message) {
  stopRefresh();
  document.cookie = 'PVEAuthCookie=; path=/; max-age=0; secure; samesite=strict';
  sessionStorage.clear();
  state.csrf = null;
  $('cluster-view').hidden = true;
  $('logout').hidden = true;
  $('whoami').hidden = true;
  $('login-view').hidden = false;
  clearErrors('login');
  if (message) {
    $('err-login-password').textContent = message;
  }
  $('login-password').value = '';
  $(($('login-user').value ? 'login-password' : 'login-user')).focus();
}

async function login(ev) {
  ev.preventDefault();
  clearErrors('login');
  const username = $('login-user').value.trim();
  const password = $('login-password').value;
  if (!username) {
    fieldError('login', 'username', 'enter a user name, e.g. root@pam');
    return;
  }
  if (!password) {
    fieldError('login', 'password', 'enter the password');
    return;
  }
  $('login-submit').disabled = true;
  try {
    const d = await api('POST', '/access/ticket', { username, password });
    document.cookie = 'PVEAuthCookie=' + encodeURIComponent(d.ticket) + '; path=/; secure; samesite=strict';
    state.csrf = d.CSRFPreventionToken;
    state.user = d.username;
    sessionStorage.setItem('csrf', state.csrf);
    sessionStorage.setItem('user', state.user);
    showCluster();
  } catch (e) {
    fieldError('login', 'password', e.status === 401 ? 'Login failed. Please try again (wrong user name or password).' : e.message);
  } finally {
    $('login-submit').disabled = false;
  }
}

// ---- cluster view
function showCluster() {
  $('login-view').hidden = true;
  $('cluster-view').hidden = false;
  $('logout').hidden = false;
  $('whoami').hidden = false;
  $('whoami').textContent = 'You are logged in as \'' + state.user + '\'';
  refresh();
  stopRefresh();
  state.refresh = setInterval(refresh, REFRESH_MS);
}
function stopRefresh() {
  if (state.refresh) {
    clearInterval(state.refresh);
    state.refresh = null;
  }
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) {
    td.className = cls;
  }
  tr.appendChild(td);
}

async function refresh() {
  let list;
  try {
    list = await api('GET', '/cluster/status');
  } catch (e) {
    if (e.status !== 401) {
      $('err-cluster').textContent = e.message;
    }
    return;
  }
  $('err-cluster').textContent = '';
  const cluster = list.find((x) => x.type === 'cluster');
  const nodes = list.filter((x) => x.type === 'node');
  state.clustered = !!cluster;
  state.node = (nodes.find((n) => n.local) || {}).name;
  $('info-name').textContent = cluster ? cluster.name : 'Standalone node - no cluster defined';
  $('info-version').textContent = cluster ? String(cluster.version) : '-';
  $('info-quorum').textContent = cluster ? (cluster.quorate ? 'Yes (quorate)' : 'No - not quorate') : '-';
  $('info-quorum').className = cluster ? (cluster.quorate ? 'online' : 'offline') : '';
  $('info-votes').textContent = cluster
    ? 'expected ' + cluster.expected_votes + ', total ' + cluster.total_votes + ', quorum ' + cluster.quorum : '-';
  $('btn-create').disabled = state.clustered;
  $('btn-join').disabled = state.clustered;
  $('btn-joininfo').disabled = !state.clustered;
  const tbody = $('nodes');
  tbody.textContent = '';
  nodes.forEach((n) => {
    const tr = document.createElement('tr');
    tr.dataset.node = n.name;
    cell(tr, n.name + (n.local ? ' (this node)' : ''));
    cell(tr, String(n.nodeid));
    cell(tr, String(n.votes));
    cell(tr, n.online ? 'online' : 'offline', n.online ? 'online' : 'offline');
    cell(tr, Object.keys(n.links).map((l) => 'link' + l + ': ' + n.links[l]).join(', '));
    tbody.appendChild(tr);
  });
  $('refreshed').textContent = 'Updated ' + new Date().toLocaleTimeString();
}

// ---- dialogs
function openDialog(id) {
  const d = $(id);
  d.showModal();
  const first = d.querySelector('input:not([readonly]), textarea:not([readonly]), button');
  if (first) {
    first.focus();
  }
}
document.addEventListener('click', (ev) => {
  if (ev.target.classList.contains('cancel')) {
    ev.target.closest('dialog').close();
  }
});

function linkRow(container, prefix, num, value, label) {
  const row = document.createElement('div');
  row.className = 'link';
  const id = prefix + '-link' + num;
  row.innerHTML = '<label></label><input><input type="number" min="0" max="255" placeholder="priority">'
    + '<span></span><span class="err" role="alert"></span>';
  const [lab, addr, prio] = row.querySelectorAll('label, input');
  lab.htmlFor = id;
  lab.textContent = 'Link ' + num;
  addr.id = id;
  addr.value = value || '';
  addr.placeholder = label || 'IP address of this node on link ' + num;
  addr.dataset.link = String(num);
  prio.setAttribute('aria-label', 'priority of link ' + num);
  prio.id = id + '-priority';
  const err = row.querySelector('.err');
  err.id = 'err-' + prefix + '-link' + num;
  addr.setAttribute('aria-describedby', err.id);
  container.appendChild(row);
}
function linkParams(container) {
  const out = {};
  container.querySelectorAll('input[data-link]').forEach((addr) => {
    const v = addr.value.trim();
    if (v) {
      const prio = $(addr.id + '-priority').value.trim();
      out['link' + addr.dataset.link] = prio ? v + ',priority=' + prio : v;
    }
  });
  return out;
}

// ---- tasks: the log streams into the viewer while the task runs
function runTask(upid, title) {
  return new Promise((resolve) => {
    $('task-title').textContent = 'Task viewer: ' + title;
    $('task-log').textContent = '';
    $('task-status').textContent = 'running';
    $('task-status').className = '';
    openDialog('dlg-task');
    let next = 0;
    const lines = [];
    const path = '/nodes/' + encodeURIComponent(upid.split(':')[1]) + '/tasks/' + encodeURIComponent(upid);
    const poll = async () => {
      try {
        const log = await api('GET', path + '/log', { start: next, limit: 500 });
        log.forEach((l) => lines.push(l.t));
        next += log.length;
        if (log.length) {
          const pre = $('task-log');
          pre.textContent = lines.join('\n');
          pre.scrollTop = pre.scrollHeight;
        }
        const st = await api('GET', path + '/status');
        if (st.status === 'stopped' && log.length === 0) {
          const ok = st.exitstatus === 'OK';
          $('task-status').textContent = ok ? 'OK' : 'Error: ' + st.exitstatus;
          $('task-status').className = ok ? 'ok' : 'failed';
          $('task-close').focus();
          resolve({ ok, exitstatus: st.exitstatus, lines });
          return;
        }
      } catch (e) {
        // the node may be switching its certificate or address right now: keep trying
        $('task-status').textContent = 'running (' + e.message + ')';
      }
      setTimeout(poll, TASK_POLL_MS);
    };
    poll();
  });
}

// ---- create
function openCreate() {
  clearErrors('create');
  $('create-links').textContent = '';
  linkRow($('create-links'), 'create', 0, '');
  openDialog('dlg-create');
}
function addCreateLink() {
  const n = $('create-links').children.length;
  if (n < MAX_LINKS) {
    linkRow($('create-links'), 'create', n, '');
    $('create-link' + n).focus();
  }
}
async function create(ev) {
  ev.preventDefault();
  clearErrors('create');
  const clustername = $('create-clustername').value.trim();
  if (!clustername) {
    fieldError('create', 'clustername', 'enter a cluster name (1 to 15 letters, digits or -)');
    return;
  }
  let upid;
  try {
    upid = await api('POST', '/cluster/config', { clustername, ...linkParams($('create-links')) });
  } catch (e) {
    showApiError('create', e);
    return;
  }
  $('dlg-create').close();
  const r = await runTask(upid, 'Create Cluster');
  if (!r.ok) {
    // back to the form, the error at the link it names, else below the form
    $('dlg-task').close();
    $('dlg-create').showModal();
    const link = r.lines.join('\n').match(/link(\d)/);
    fieldError('create', link && $('err-create-link' + link[1]) ? 'link' + link[1] : 'general',
      'Create Cluster failed: ' + r.exitstatus);
  }
  refresh();
}

// ---- join information: the original's format, base64 of JSON
function b64(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  bytes.forEach((b) => { bin += String.fromCharCode(b); });
  return btoa(bin);
}
function unb64(text) {
  const bin = atob(text.replace(/\s+/g, ''));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

async function openJoinInfo() {
  $('err-joininfo').textContent = '';
  $('joininfo-copied').textContent = '';
  $('joininfo-text').value = '';
  openDialog('dlg-joininfo');
  try {
    const d = await api('GET', '/cluster/config/join');
    const me = d.nodelist.find((n) => n.name === d.preferred_node);
    const peerLinks = {};
    const ringAddr = [];
    for (let i = 0; i < MAX_LINKS; i++) {
      if (me['ring' + i + '_addr']) {
        peerLinks[i] = me['ring' + i + '_addr'];
        ringAddr.push(me['ring' + i + '_addr']);
      }
    }
    const info = { ipAddress: me.pve_addr, fingerprint: me.pve_fp, peerLinks, ring_addr: ringAddr, totem: d.totem };
    $('joininfo-ip').textContent = me.pve_addr;
    $('joininfo-fp').textContent = me.pve_fp;
    $('joininfo-text').value = b64(JSON.stringify(info));
    $('joininfo-copy').focus();
  } catch (e) {
    $('err-joininfo').textContent = e.message;
  }
}
async function copyJoinInfo() {
  const text = $('joininfo-text');
  try {
    await navigator.clipboard.writeText(text.value);
  } catch (e) {
    // no clipboard permission (plain http, headless): select it and use the old way
    text.select();
    document.execCommand('copy');
  }
  $('joininfo-copied').textContent = 'Copied to the clipboard';
}

// ---- join
let joinTarget = null;
function openJoin() {
  clearErrors('join');
  joinTarget = null;
  $('join-info').value = '';
  $('join-password').value = '';
  $('join-peer').textContent = '';
  $('join-fp').textContent = '';
  $('join-self').textContent = state.node || '';
  $('join-links').textContent = '';
  linkRow($('join-links'), 'join', 0, '');
  openDialog('dlg-join');
}
function parseJoinInfo() {
  clearErrors('join');
  joinTarget = null;
  const text = $('join-info').value.trim();
  $('join-peer').textContent = '';
  $('join-fp').textContent = '';
  if (!text) {
    return;
  }
  let info;
  try {
    info = JSON.parse(unb64(text));
  } catch (e) {
    fieldError('join', 'info', 'this is not Join Information: copy it from "Join Information" on a cluster node');
    return;
  }
  if (!info.ipAddress || !info.fingerprint || !info.peerLinks) {
    fieldError('join', 'info', 'the Join Information lacks ipAddress, fingerprint or peerLinks - copy it again');
    return;
  }
  joinTarget = info;
  $('join-peer').textContent = info.ipAddress;
  $('join-fp').textContent = info.fingerprint;
  const links = $('join-links');
  const old = linkParams(links);
  links.textContent = '';
  Object.keys(info.peerLinks).forEach((l) => {
    linkRow(links, 'join', l, (old['link' + l] || '').split(',')[0], 'this node\'s address on link ' + l
      + ' (peer: ' + info.peerLinks[l] + ')');
  });
}

// A failed join's log says what went wrong; show it next to the field the user can change.
function joinFailure(r) {
  const all = r.lines.join('\n');
  const detail = (r.lines.find((l) => l.startsWith('An error occurred on the cluster node')) || r.exitstatus);
  if (/authentication failure|401/.test(all)) {
    return ['password', 'wrong password for ' + joinTarget.ipAddress + ' (' + detail + ')'];
  }
  if (/fingerprint|certificate verify failed/.test(all)) {
    return ['info', 'fingerprint mismatch: the node at ' + joinTarget.ipAddress
      + ' presents another certificate - copy its Join Information again (' + r.exitstatus + ')'];
  }
  if (/Can't connect|Connection refused|timed out|unreachable|No route/.test(all)) {
    return ['info', 'node ' + joinTarget.ipAddress + ' is unreachable (' + r.exitstatus + ')'];
  }
  const taken = all.match(/can't add existing node '([^']+)'/);
  if (taken) {
    return ['node', 'the cluster already has a node named \'' + taken[1] + '\' - give this node another name,'
      + ' or remove the old one with \'pvecm delnode ' + taken[1] + '\' on a cluster node'];
  }
  const link = all.match(/link(\d)/);
  if (link && $('err-join-link' + link[1])) {
    return ['link' + link[1], detail];
  }
  return ['general', detail];
}

async function join(ev) {
  ev.preventDefault();
  if (!joinTarget) {
    parseJoinInfo();
    if (!joinTarget) {
      if (!$('join-info').value.trim()) {
        fieldError('join', 'info', 'paste the Join Information of a cluster node');
      }
      return;
    }
  }
  clearErrors('join');
  const password = $('join-password').value;
  if (!password) {
    fieldError('join', 'password', 'enter the root password of ' + joinTarget.ipAddress);
    return;
  }
  let upid;
  try {
    upid = await api('POST', '/cluster/config/join', {
      hostname: joinTarget.ipAddress, fingerprint: joinTarget.fingerprint, password, ...linkParams($('join-links')),
    });
  } catch (e) {
    showApiError('join', e);
    return;
  }
  $('dlg-join').close();
  const r = await runTask(upid, 'Join Cluster');
  if (!r.ok) {
    $('dlg-task').close();
    const [field, message] = joinFailure(r);
    $('dlg-join').showModal();
    $('join-password').value = '';
    fieldError('join', field, message);
  }
  refresh();
}

function logout() {
  showLogin('');
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('btn-create').addEventListener('click', openCreate);
  $('create-addlink').addEventListener('click', addCreateLink);
  $('create-form').addEventListener('submit', create);
  $('btn-joininfo').addEventListener('click', openJoinInfo);
  $('joininfo-copy').addEventListener('click', copyJoinInfo);
  $('btn-join').addEventListener('click', openJoin);
  $('join-info').addEventListener('change', parseJoinInfo);
  $('join-info').addEventListener('paste', () => setTimeout(parseJoinInfo, 0));
  $('join-form').addEventListener('submit', join);
  if (state.csrf && document.cookie.includes('PVEAuthCookie=')) {
    showCluster();
  } else {
    showLogin('');
  }
});
