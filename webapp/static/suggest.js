// Suggestions as you type, for browsers with JavaScript; the search works without it.
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!box || !list || !window.fetch) { return; }
  var timer = null;
  var lang = document.documentElement.lang || "en";
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = box.value;
      if (q.trim().length < 2) { list.replaceChildren(); return; }
      fetch("/api/v1/suggest?lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (text) {
            var option = document.createElement("option");
            option.value = text;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a nicety: stay quiet */ });
    }, 150);
  });
}());
