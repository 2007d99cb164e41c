/* The header's search box opens Pagefind's search, with the stories' facets, in a dialog
   in Material's look. Pagefind's UI (pagefind/pagefind-ui.js) is fetched the first time
   search opens; it then fetches only the index chunks and results a query needs.
   Loaded by theme/partials/handbook-search.html when the site was indexed with Pagefind. */
(function () {
  "use strict"
  var script = document.currentScript
  var toggle = document.getElementById("__search")
  if (!script || !toggle || location.protocol === "file:") return
  var bundle = new URL(script.getAttribute("data-bundle"), location.href).href
  var root = new URL("../", bundle).pathname
  var input = document.querySelector(".md-search__input")
  var dialog = null
  var ui = null
  var loading = null

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]
    })
  }

  // A story's result shows its summary (its meta) in place of words cut from its page (the
  // UI shows other meta as tags: the summary is not repeated there).
  function withSummary(result) {
    if (result.meta && result.meta.summary) {
      result.excerpt = escapeHtml(result.meta.summary)
      delete result.meta.summary
    }
    return result
  }

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var css = document.createElement("link")
        css.rel = "stylesheet"
        css.href = bundle + "pagefind-ui.css"
        document.head.appendChild(css)
        var js = document.createElement("script")
        js.src = bundle + "pagefind-ui.js"
        js.onload = resolve
        js.onerror = reject
        document.head.appendChild(js)
      })
    }
    return loading
  }

  function build() {
    if (dialog) return
    dialog = document.createElement("div")
    dialog.className = "hb-pagefind"
    dialog.hidden = true
    dialog.setAttribute("role", "dialog")
    dialog.setAttribute("aria-modal", "true")
    dialog.setAttribute("aria-label", input && input.getAttribute("aria-label") || "Search")
    dialog.innerHTML =
      '<div class="hb-pagefind__overlay" data-hb-close></div>' +
      '<div class="hb-pagefind__panel">' +
      '<button type="button" class="hb-pagefind__close" data-hb-close aria-label="Close search" title="Close (Esc)">' +
      '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12 19 6.41Z"/></svg>' +
      "</button>" +
      // A phone's first screen shows results: the facets wait behind this disclosure (search.css).
      '<button type="button" class="hb-pagefind__filters" aria-expanded="false">Filters</button>' +
      '<div class="hb-pagefind__ui"></div>' +
      "</div>"
    document.body.appendChild(dialog)
    dialog.addEventListener("click", function (ev) {
      if (ev.target instanceof Element && ev.target.closest("[data-hb-close]")) close()
      var filters = ev.target instanceof Element && ev.target.closest(".hb-pagefind__filters")
      if (filters) filters.setAttribute("aria-expanded", String(dialog.classList.toggle("hb-pagefind--filters")))
    })
    dialog.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {
        ev.preventDefault()
        close()
      }
    })
  }

  // Pagefind's UI, made once: hidden until search opens. Making it fetches Pagefind's script,
  // WebAssembly, metadata and facets (about 200 KB before compression, whatever the site's
  // size); a query then fetches only its index chunks and the results it shows.
  function ready() {
    build()
    return load().then(function () {
      if (!ui) {
        ui = new window.PagefindUI({
          element: dialog.querySelector(".hb-pagefind__ui"),
          bundlePath: bundle,
          baseUrl: root,
          showSubResults: false,
          showImages: false,
          excerptLength: 24,
          debounceTimeoutMs: 100,
          openFilters: ["team", "kind", "severity"],
          processResult: withSummary,
          translations: { placeholder: "Search stories, lessons and pages" }
        })
        recountOnceFiltersLoad(dialog.querySelector(".hb-pagefind__ui"))
      }
      return ui
    })
  }

  function open(query) {
    build()
    dialog.hidden = false
    document.documentElement.classList.add("hb-pagefind-open")
    ready().then(
      function () {
        var box = dialog.querySelector(".pagefind-ui__search-input")
        if (query) ui.triggerSearch(query)
        if (box) box.focus()
      },
      function () {
        loading = null // a later try may reach the server again
        dialog.querySelector(".hb-pagefind__ui").textContent = "Search is not available on this copy of the site."
      }
    )
  }

  // Search answers sooner when Pagefind is ready before the reader asks: made once the page
  // is idle (not when the reader asked the browser to save data), or as soon as a pointer or
  // finger nears the search box.
  function warm() {
    ready().then(function () {
      // Pagefind's UI loads Pagefind when its box takes focus: tell it so without moving focus.
      var box = dialog.querySelector(".pagefind-ui__search-input")
      if (box && dialog.hidden) box.dispatchEvent(new FocusEvent("focus"))
    }, function () { loading = null })
  }
  var saveData = navigator.connection && navigator.connection.saveData
  if (!saveData) {
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 200) }
    if (document.readyState === "complete") idle(warm)
    else window.addEventListener("load", function () { idle(warm) }, { once: true })
  }
  var form = input && input.closest(".md-search")
  ;[form, document.querySelector('label[for="__search"]')].forEach(function (el) {
    if (!el) return
    el.addEventListener("pointerenter", warm, { once: true })
    el.addEventListener("touchstart", warm, { once: true, passive: true })
  })

  // A query typed before the facets' data came is answered without counts, and the panel
  // then shows the counts of the whole site: search again once it has come.
  function recountOnceFiltersLoad(element) {
    var watch = new MutationObserver(function () {
      if (!element.querySelector(".pagefind-ui__filter-name")) return
      watch.disconnect()
      var box = element.querySelector(".pagefind-ui__search-input")
      if (box && box.value) ui.triggerFilters({}) // none can be picked yet; runs the same search again
    })
    watch.observe(element, { childList: true, subtree: true })
  }

  function close() {
    if (!dialog) return
    dialog.hidden = true
    document.documentElement.classList.remove("hb-pagefind-open")
  }

  // Material's search toggle (the magnifier on small screens) and its header box open ours.
  toggle.addEventListener("change", function () {
    if (!toggle.checked) return
    toggle.checked = false
    open(input ? input.value : "")
  })
  if (input) {
    input.addEventListener("focus", function () {
      input.blur()
      open(input.value)
    })
  }
  // Material's keys for search: / s f.
  window.addEventListener("keydown", function (ev) {
    if (ev.metaKey || ev.ctrlKey || ev.altKey || (dialog && !dialog.hidden)) return
    var active = document.activeElement
    if (active && (active.isContentEditable || /^(input|select|textarea)$/i.test(active.tagName))) return
    if (ev.key === "/" || ev.key === "s" || ev.key === "f") {
      ev.preventDefault()
      open("")
    }
  })
})()
