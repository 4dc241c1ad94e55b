/**
 * The console's script, served as /console/console.js (assets.ts): plain browser JavaScript,
 * no build step. It keeps the token in sessionStorage (never in a URL), fetches the current
 * page's view again with it (`X-Console: view`) and swaps it in; keeps the view live over
 * sessions (one watch per app shown, status 1 and 2) with polling as the fallback; says when
 * the connection is lost; and runs the actions (drain, undrain, weight, cancel) through the
 * ordinary POST /discovery/set and /discovery/cancel after a confirmation.
 * Written without backticks or dollar-brace so it can live in this template string.
 */
export const CONSOLE_JS = String.raw`;(function () {
  'use strict'
  var TOKEN_KEY = 'edge-discovery.token'
  var SESSIONS_MAX = 20
  var LOOP_MS = 1000
  var REFRESH_MS = 10000
  // a page of more apps than it opens sessions for polls them all: each poll asks every app's
  // object, so those pages poll less often (filter the page to get pushes again)
  var POLL_MANY_MS = 5000
  // changes pushed in a burst are shown at most this often (each view asks the apps' objects)
  var CHANGES_EVERY_MS = 500
  var root = document.documentElement
  root.classList.add('js')

  function readToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) } catch (e) { return null }
  }
  function keepToken(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value)
      else sessionStorage.removeItem(TOKEN_KEY)
    } catch (e) { /* storage off: the token lives as long as the page */ }
  }
  var token = readToken()
  if (token) root.classList.add('has-token')

  var s = {
    watches: new Map(),
    sessionsWanted: false,
    inFlight: null,
    again: false,
    failing: false,
    lastOk: 0,
    skew: 0,
    changeTimer: 0,
    started: 0,
    watched: 0,
    loopTimer: 0,
    catalogBusy: false,
    deferred: false,
  }

  function headers(extra) {
    var h = extra || {}
    if (token) h.Authorization = 'Bearer ' + token
    return h
  }
  function $(id) { return document.getElementById(id) }
  function viewRoot() { var v = $('view'); return v ? v.querySelector('.view') : null }

  // ---- the view: fetched again with the token, swapped in
  function refresh() {
    if (s.inFlight) { s.again = true; return s.inFlight }
    s.started = Date.now()
    var url = location.pathname + location.search
    s.inFlight = fetch(url, { headers: headers({ 'X-Console': 'view' }), cache: 'no-store', credentials: 'omit' })
      .then(function (res) {
        var type = res.headers.get('content-type') || ''
        if (type.indexOf('text/html') === 0) {
          return res.text().then(function (html) { swap(html); ok() })
        }
        return res.text().then(function (text) {
          var message = 'HTTP ' + res.status
          try { message = JSON.parse(text).message || message } catch (e) { /* not JSON */ }
          if (res.status === 401) { signOut(message); return }
          if (res.status === 429) { toast(message, true); ok(); return }
          throw new Error(message)
        })
      })
      .catch(function () { s.failing = true; updateConn() })
      .then(function () {
        s.inFlight = null
        if (s.again) { s.again = false; refresh() }
      })
    return s.inFlight
  }
  function ok() { s.failing = false; s.lastOk = Date.now(); updateConn() }

  function swap(html) {
    var target = $('view')
    if (!target) return
    var dialog = $('confirm')
    if (dialog && dialog.open) { s.deferred = true; return } // do not move rows under an open question
    target.innerHTML = html
    afterRender()
  }

  function afterRender() {
    var r = viewRoot()
    if (!r) return
    var now = Number(r.getAttribute('data-now'))
    if (now) s.skew = now - Date.now()
    var apps = []
    try { apps = JSON.parse(r.getAttribute('data-watch') || '[]') } catch (e) { apps = [] }
    reconcile(r.getAttribute('data-view') === 'signin' ? [] : apps)
    tick()
    if (r.getAttribute('data-view') === 'signin') {
      var input = $('signin-token')
      if (input && !token) input.focus()
    }
  }

  // ---- live: one session per app shown (watch UP and WAITING), else polls
  function reconcile(apps) {
    var wanted = new Map()
    s.watched = apps.length
    s.sessionsWanted = apps.length <= SESSIONS_MAX && typeof WebSocket === 'function'
    if (s.sessionsWanted) apps.forEach(function (a) { wanted.set(a[1] + '\n' + a[0], a) })
    s.watches.forEach(function (w, key) {
      if (!wanted.has(key)) { stopWatch(w); s.watches.delete(key) }
    })
    wanted.forEach(function (a, key) {
      if (!s.watches.has(key)) s.watches.set(key, startWatch(a[0], a[1]))
    })
    updateConn()
  }

  function sessionUrl(appid, env) {
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    return scheme + '//' + location.host + '/discovery/session?' + new URLSearchParams({ appid: appid, env: env })
  }

  function startWatch(appid, env) {
    var w = { appid: appid, env: env, ws: null, live: false, wasLive: false, gone: false,
      retryMs: 1000, retryTimer: 0, pingTimer: 0, lastPong: 0, refusals: 0 }
    openWatch(w)
    return w
  }

  function openWatch(w) {
    var protocols = ['discovery.v1']
    if (token) protocols.push('bearer.' + token)
    var ws
    try { ws = new WebSocket(sessionUrl(w.appid, w.env), protocols) } catch (e) { retryWatch(w); return }
    w.ws = ws
    var opened = false
    ws.onopen = function () { opened = true }
    ws.onmessage = function (event) {
      var frame
      try { frame = JSON.parse(event.data) } catch (e) { return }
      if (frame.type === 'hello') {
        ws.send(JSON.stringify({ op: 'watch', id: 'console', status: [1, 2] }))
        w.lastPong = Date.now()
        clearInterval(w.pingTimer)
        var every = Math.max(1000, Number(frame.ping_interval_ms) || 30000)
        w.pingTimer = setInterval(function () {
          if (Date.now() - w.lastPong > 2 * every + 5000) { ws.close(); return }
          try { ws.send(frame.ping || '{"op":"ping"}') } catch (e) { /* closing */ }
        }, every)
      } else if (frame.type === 'ok') {
        w.live = true; w.wasLive = true; w.retryMs = 1000; w.refusals = 0; updateConn()
      } else if (frame.type === 'view' || frame.type === 'delta') {
        changed()
      } else if (frame.type === 'pong') {
        w.lastPong = Date.now()
      }
    }
    ws.onclose = function () {
      clearInterval(w.pingTimer)
      w.live = false
      w.ws = null
      if (!opened) w.refusals += 1
      if (!w.gone) retryWatch(w)
      updateConn()
    }
  }

  function retryWatch(w) {
    clearTimeout(w.retryTimer)
    var delay = w.retryMs * (0.8 + Math.random() * 0.4)
    w.retryMs = Math.min(w.retryMs * 2, 30000)
    w.retryTimer = setTimeout(function () { if (!w.gone) openWatch(w) }, delay)
  }

  function stopWatch(w) {
    w.gone = true
    clearTimeout(w.retryTimer)
    clearInterval(w.pingTimer)
    if (w.ws) { try { w.ws.close(1000, 'page moved on') } catch (e) { /* already closed */ } }
  }

  function allLive() {
    if (!s.sessionsWanted) return false
    var live = true
    s.watches.forEach(function (w) { if (!w.live) live = false })
    return live
  }

  function changed() {
    if (s.changeTimer) return // one refresh is already coming
    var wait = Math.max(120, s.started + CHANGES_EVERY_MS - Date.now())
    s.changeTimer = setTimeout(function () { s.changeTimer = 0; refresh() }, wait)
  }

  // ---- the loop: polls while a session is missing, checks the catalog, refreshes now and then
  function loop() {
    clearTimeout(s.loopTimer)
    s.loopTimer = setTimeout(loop, LOOP_MS)
    if (document.hidden) return
    var r = viewRoot()
    if (!r || r.getAttribute('data-view') === 'signin') return
    if (s.failing || !allLive() || r.getAttribute('data-view') === 'problem') {
      var every = s.watched > SESSIONS_MAX ? POLL_MANY_MS : LOOP_MS
      if (Date.now() - s.started >= every - 50) refresh()
      return
    }
    if (Date.now() - s.lastOk > REFRESH_MS) { refresh(); return }
    var catalog = r.getAttribute('data-catalog')
    if (catalog) checkCatalog(catalog)
  }

  /** The overview: has an app appeared or gone since it was drawn? One cheap call. */
  function checkCatalog(drawn) {
    if (s.catalogBusy) return
    s.catalogBusy = true
    fetch('/console/apps' + location.search, { headers: headers(), cache: 'no-store', credentials: 'omit' })
      .then(function (res) { return res.ok ? res.json() : null })
      .then(function (body) { if (body && body.catalog !== drawn) refresh() }, function () { s.failing = true; updateConn() })
      .then(function () { s.catalogBusy = false })
  }

  function updateConn() {
    var el = $('conn')
    if (!el) return
    var text = el.querySelector('.conn-text')
    var r = viewRoot()
    var state, label
    if (s.failing) {
      state = 'offline'
      label = 'Connection lost · retrying' + (s.lastOk ? ' · last update ' + new Date(s.lastOk).toLocaleTimeString() : '')
    } else if (!r || r.getAttribute('data-view') === 'signin') {
      state = 'idle'; label = 'Not signed in'
    } else if (allLive()) {
      state = 'live'; label = 'Live'
    } else if (s.sessionsWanted && anyWasLive()) {
      state = 'reconnecting'; label = 'Reconnecting · polling meanwhile'
    } else if (s.sessionsWanted && s.watches.size > 0 && !anyRefused()) {
      state = 'connecting'; label = 'Connecting…'
    } else {
      state = 'polling'; label = 'Live · polling'
    }
    el.setAttribute('data-state', state)
    if (text) text.textContent = label
    var banner = $('offline')
    if (banner) banner.hidden = !s.failing
  }
  function anyWasLive() { var any = false; s.watches.forEach(function (w) { if (w.wasLive && !w.live) any = true }); return any }
  function anyRefused() { var any = false; s.watches.forEach(function (w) { if (w.refusals > 0) any = true }); return any }

  // ---- relative times, kept current
  function tick() {
    var now = Date.now() + s.skew
    var nodes = document.querySelectorAll('[data-at]')
    for (var i = 0; i < nodes.length; i++) {
      var at = Number(nodes[i].getAttribute('data-at'))
      if (!at) continue
      nodes[i].textContent = ago(at, now)
      if (nodes[i].tagName === 'TIME') nodes[i].title = new Date(at).toLocaleString()
    }
  }
  function ago(at, now) {
    var ms = now - at
    if (ms < 0) return 'in ' + span(-ms)
    if (ms < 1000) return 'just now'
    return span(ms) + ' ago'
  }
  function span(ms) {
    var sec = Math.floor(ms / 1000)
    if (sec < 60) return sec + ' s'
    var min = Math.floor(sec / 60)
    if (min < 60) return min + ' min'
    var h = Math.floor(min / 60)
    if (h < 24) return min % 60 ? h + ' h ' + (min % 60) + ' min' : h + ' h'
    var d = Math.floor(h / 24)
    return h % 24 ? d + ' d ' + (h % 24) + ' h' : d + ' d'
  }

  // ---- toast
  var toastTimer = 0
  function toast(message, bad) {
    var el = $('toast')
    if (!el) return
    el.textContent = message
    el.className = 'toast show' + (bad ? ' bad' : '')
    clearTimeout(toastTimer)
    toastTimer = setTimeout(function () { el.className = 'toast' }, 4000)
  }

  // ---- sign in and out
  function signOut(message) {
    token = null
    keepToken(null)
    root.classList.remove('has-token')
    s.watches.forEach(stopWatch)
    s.watches.clear()
    refresh().then(function () {
      var error = $('signin-error')
      if (error && message) error.textContent = message
    })
  }

  function signIn(value) {
    var error = $('signin-error')
    if (error) error.textContent = ''
    var url = location.pathname + location.search.replace(/([?&])signin=[^&]*&?/, '$1').replace(/[?&]$/, '')
    return fetch(url, { headers: { 'X-Console': 'view', Authorization: 'Bearer ' + value }, cache: 'no-store', credentials: 'omit' })
      .then(function (res) {
        return res.text().then(function (text) {
          var html = (res.headers.get('content-type') || '').indexOf('text/html') === 0
          if (res.ok && html) {
            token = value
            keepToken(value)
            root.classList.add('has-token')
            if (url !== location.pathname + location.search) history.replaceState(null, '', url)
            swap(text)
            ok()
            return
          }
          var message = 'HTTP ' + res.status
          if (html) {
            var box = document.createElement('div')
            box.innerHTML = text
            var shown = box.querySelector('.error')
            if (shown && shown.textContent) message = shown.textContent
          } else {
            try { message = JSON.parse(text).message || message } catch (e) { /* not JSON */ }
          }
          if (error) error.textContent = message
        })
      }, function () {
        if (error) error.textContent = 'The registry did not answer: try again.'
      })
  }

  // ---- actions
  var pending = null
  function ask(button) {
    var r = viewRoot()
    if (!r) return
    var action = button.getAttribute('data-action')
    var hostname = button.getAttribute('data-hostname')
    var zone = button.getAttribute('data-zone')
    var texts = {
      drain: ['Drain ' + hostname + '?', 'Its status becomes WAITING: clients stop sending it traffic, and it stays registered. Undrain puts it back.', 'Drain'],
      undrain: ['Undrain ' + hostname + '?', 'Its status becomes UP: clients send it traffic again.', 'Undrain'],
      weight: ['Weight of ' + hostname, 'Sets metadata weight: pickers send it traffic in proportion to it (10 when unset).', 'Set weight'],
      cancel: ['Cancel ' + hostname + '?', 'Removes it from the registry now. A client that still runs registers it again on its next renew.', 'Cancel instance'],
    }
    var t = texts[action]
    if (!t) return
    pending = { action: action, appid: r.getAttribute('data-appid'), env: r.getAttribute('data-env'), zone: zone, hostname: hostname }
    $('confirm-title').textContent = t[0]
    $('confirm-text').textContent = t[1] + ' (zone ' + zone + ', app ' + pending.appid + ', env ' + pending.env + ')'
    $('confirm-error').textContent = ''
    var row = $('confirm-weight-row')
    var input = $('confirm-weight')
    row.hidden = action !== 'weight'
    input.required = action === 'weight'
    input.value = button.getAttribute('data-weight') || '10'
    var yes = $('confirm-yes')
    yes.textContent = t[2]
    yes.className = action === 'cancel' ? 'primary danger-fill' : 'primary'
    yes.disabled = false
    $('confirm').showModal()
    if (action === 'weight') { input.focus(); input.select() } else yes.focus()
  }

  function perform() {
    if (!pending) return
    var p = pending
    var form = new URLSearchParams({ appid: p.appid, env: p.env, zone: p.zone, hostname: p.hostname })
    if (p.action === 'drain') form.set('status', '2')
    if (p.action === 'undrain') form.set('status', '1')
    if (p.action === 'weight') {
      var value = $('confirm-weight').value.trim()
      if (!/^[0-9]{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 10000) {
        $('confirm-error').textContent = 'The weight is a whole number from 1 to 10000.'
        return
      }
      form.set('metadata', JSON.stringify({ weight: String(Number(value)) }))
      p.weight = String(Number(value))
    }
    var yes = $('confirm-yes')
    yes.disabled = true
    var path = p.action === 'cancel' ? '/discovery/cancel' : '/discovery/set'
    fetch(path, {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/x-www-form-urlencoded' }),
      body: form.toString(),
      credentials: 'omit',
    })
      .then(function (res) {
        return res.text().then(function (text) {
          var body = null
          try { body = JSON.parse(text) } catch (e) { /* not JSON */ }
          if (body && body.code === 0) return null
          return (body && body.message) || 'HTTP ' + res.status
        })
      })
      .then(function (problem) {
        if (problem) { $('confirm-error').textContent = problem; yes.disabled = false; return }
        pending = null
        $('confirm').close()
        var done = { drain: 'Drained ', undrain: 'Undrained ', cancel: 'Cancelled ', weight: 'Weight ' + p.weight + ' set on ' }
        toast(done[p.action] + p.hostname)
        refresh()
      }, function () {
        $('confirm-error').textContent = 'The registry did not answer: nothing was changed that we know of. Try again.'
        yes.disabled = false
      })
  }

  // ---- wiring
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-action],[data-signout],[data-signin]') : null
    if (!target) return
    if (target.hasAttribute('data-action')) ask(target)
    else if (target.hasAttribute('data-signout')) signOut('')
    else if (target.hasAttribute('data-signin')) location.href = location.pathname + (location.search ? location.search + '&' : '?') + 'signin=1'
  })
  document.addEventListener('submit', function (event) {
    var form = event.target
    if (!(form instanceof HTMLFormElement)) return
    if (form.id === 'signin-form') {
      event.preventDefault()
      var value = ($('signin-token').value || '').trim()
      if (value) signIn(value)
    } else if (form.id === 'confirm-form') {
      event.preventDefault()
      perform()
    }
  })
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh() })

  function start() {
    var no = $('confirm-no')
    if (no) no.addEventListener('click', function () { pending = null; $('confirm').close() })
    var dialog = $('confirm')
    if (dialog) dialog.addEventListener('close', function () { if (s.deferred) { s.deferred = false; refresh() } })
    if (token) refresh()
    else { afterRender(); ok() }
    setInterval(tick, 1000)
    loop()
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
})()
`
