// haproxystats fleet page: keeps the live part current from the server's event stream and counts
// ages up between updates. No library, no inline code (the Content-Security-Policy forbids it).
'use strict';
(function () {
  var live = document.getElementById('live');
  var conn = document.getElementById('conn');
  var offset = 0; // the server's clock minus this one's, in seconds

  function sync() {
    var state = document.getElementById('state');
    var now = state ? Number(state.getAttribute('data-now')) : 0;
    if (now > 0) {
      offset = now - Date.now() / 1000;
    }
    var code = state ? state.getAttribute('data-code') : null;
    var verdict = document.getElementById('verdict');
    if (verdict) {
      document.title = verdict.textContent.split(':')[0] + ' - haproxystats fleet';
    }
    document.body.setAttribute('data-code', code || '');
  }

  function format(s) {
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return Math.round(s / 3600) + ' h';
  }

  function ages() {
    var now = Date.now() / 1000 + offset;
    var spans = live.querySelectorAll('span.age[data-epoch]');
    for (var i = 0; i < spans.length; i++) {
      var s = Math.max(0, Math.round(now - Number(spans[i].getAttribute('data-epoch'))));
      spans[i].textContent = format(s);
    }
  }

  sync();
  ages();
  setInterval(ages, 1000);

  if (window.EventSource) {
    var events = new EventSource('events' + window.location.search);
    events.addEventListener('live', function (e) {
      // Rendered and escaped by the server; it holds no script.
      live.innerHTML = e.data;
      sync();
      ages();
      conn.hidden = true;
    });
    events.onopen = function () { conn.hidden = true; };
    events.onerror = function () { conn.hidden = false; };
  }
})();
