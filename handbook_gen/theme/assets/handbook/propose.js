/* The "Tell a story" form (render/templates/propose.md.j2; loaded by theme/handbook-propose.html
   on that page only). It checks what `handbook check` would of the answers, with the bounds the
   page was built with, shows each problem beside its field, and makes the story file as
   `handbook new` lays it out: the repository host's new-file page opens with it (GitHub, GitLab,
   from repo_url and edit_uri), or, with neither set, the file is offered to download. */
(function () {
  "use strict"
  var form = document.getElementById("hb-propose")
  if (!form) return
  /* The configuration's repo_url and edit_uri, which the page's template puts in its head. */
  function setting(name) {
    var meta = document.querySelector('meta[name="handbook-' + name + '"]')
    return meta ? meta.content : ""
  }
  var repoUrl = setting("repo-url").replace(/\/+$/, "")
  var spelled = JSON.parse(form.dataset.spelled || "{}")
  var taken = new Set((form.dataset.taken || "").split(" ").filter(Boolean))
  var rules = JSON.parse(form.dataset.rules || "[]").map(function (rule) { return [new RegExp(rule[0], "i"), rule[1]] })
  var tried = false
  var warned = ""  // the warnings shown at the last press: pressing again with the same ones goes on

  function $(id) { return document.getElementById(id) }
  function value(id) { return $(id).value.replace(/\r\n?/g, "\n").trim() }
  function checked(id) {
    return Array.prototype.map.call($(id).querySelectorAll("input[type=checkbox]:checked"), function (box) { return box.value })
  }

  /* The story's id from its title, as `handbook new` makes it (cli/new.py _slug). */
  function slug(title) {
    var out = ""
    for (var ch of title.toLowerCase()) out += Object.prototype.hasOwnProperty.call(spelled, ch) ? spelled[ch] : ch
    out = out.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    return out.slice(0, 60).replace(/-+$/, "")
  }

  function today() {
    var now = new Date()
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10)
  }

  /* Each field's problem, or "": what `handbook check` would refuse. */
  function length(id, what) {
    var el = $(id), text = value(id), min = Number(el.getAttribute("minlength") || 0), max = Number(el.getAttribute("maxlength") || Infinity)
    if (!text && el.required) return "Write the " + what + "."
    if (text && (text.length < min || text.length > max)) {
      return "The " + what + " needs " + min + "-" + max + " characters (it has " + text.length + ")."
    }
    return ""
  }
  function count(id, what) {
    var set = $(id), n = checked(id).length, min = Number(set.dataset.min || 0), max = Number(set.dataset.max || Infinity)
    if (n < min) return "Choose at least " + min + " " + what + "."
    if (n > max) return "Choose at most " + max + " " + what + "."
    return ""
  }
  var checks = {
    "hb-title": function () {
      var problem = length("hb-title", "title")
      if (problem) return problem
      var id = slug(value("hb-title"))
      if (!id) return "The title needs some Latin letters or digits: the story's file is named after them."
      if (taken.has(id)) return "A story called '" + id + "' exists already: choose another title."
      return ""
    },
    "hb-date": function () {
      var date = $("hb-date").value
      if (!date) return "Give the date it happened."
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return "Write the date as YYYY-MM-DD."
      if (date > today()) return "The date is in the future (today is " + today() + ")."
      return ""
    },
    "hb-summary": function () { return length("hb-summary", "summary") },
    "hb-authors": function () { return count("hb-authors", "author") },
    "hb-lessons": function () { return count("hb-lessons", "lesson") },
    "hb-teams": function () { return count("hb-teams", "team") },
  }

  /* Blame language in a text, as `handbook check` warns of it (core/lint.py's rules): a warning, not an error. */
  function blame(id) {
    for (var i = 0; i < rules.length; i++) {
      var found = rules[i][0].exec(value(id))
      if (found) return "Blame language '" + found[0] + "': " + rules[i][1] + "."
    }
    return ""
  }
  var written = Array.prototype.map.call(form.querySelectorAll("input[type=text], textarea"), function (el) { return el.id })

  /* Show a field's note beside it (its describedby); an error also marks its controls invalid. */
  function show(id, problem, warning) {
    $(id + "-error").textContent = problem || warning || ""
    var el = $(id)
    var controls = el.tagName === "FIELDSET" ? el.querySelectorAll("input") : [el]
    Array.prototype.forEach.call(controls, function (c) {
      if (problem) c.setAttribute("aria-invalid", "true")
      else c.removeAttribute("aria-invalid")
    })
  }
  function note(id) {
    var problem = checks[id] ? checks[id]() : ""
    var warning = written.indexOf(id) >= 0 ? blame(id) : ""
    show(id, problem, warning)
    return [problem, warning]
  }
  /* Check every field: the first with an error, and the warnings. */
  function validate() {
    var first = null, warnings = []
    Object.keys(checks).concat(written.filter(function (id) { return !checks[id] })).forEach(function (id) {
      var found = note(id)
      if (found[0] && !first) first = id
      if (found[1]) warnings.push(id + ": " + found[1])
    })
    return { first: first, warnings: warnings.join("\n") }
  }

  /* A YAML double-quoted scalar: JSON's escapes, and the line separators YAML reads as breaks. */
  function quoted(text) {
    return JSON.stringify(text).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029").replace(/\u0085/g, "\\u0085")
  }
  function list(items) { return "[" + items.map(quoted).join(", ") + "]" }

  /* The story file, in `handbook new`'s layout; empty parts keep its placeholder lines. */
  function storyFile() {
    var lines = [
      "title: " + quoted(value("hb-title")),
      "date: " + $("hb-date").value,
      "summary: " + quoted(value("hb-summary")),
      "authors: " + list(checked("hb-authors")),
      "lessons: " + list(checked("hb-lessons")),
      "visibility: internal",
      "kind: " + $("hb-kind").value,
    ]
    if ($("hb-severity").value) lines.push("severity: " + $("hb-severity").value)
    var teams = checked("hb-teams")
    if (teams.length) lines.push("teams: " + list(teams))
    var whys = $("hb-whys").querySelectorAll("textarea")
    var given = Array.prototype.map.call(whys, function (w) { return value(w.id) }).filter(Boolean)
    if (!given.length) {
      given = Array.prototype.map.call(whys, function (w) { return w.dataset.placeholder || "" }).filter(Boolean)
    }
    if (given.length) lines.push("five_whys:", ...given.map(function (w) { return "  - " + quoted(w) }))
    var body = ""
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-heading]"), function (area) {
      var text = value(area.id) || area.dataset.placeholder || ""
      if (text) body += "## " + area.dataset.heading + "\n\n" + text + "\n\n"
    })
    body += "<!-- internal -->\n" + form.dataset.internal + "\n<!-- /internal -->\n"
    return "---\n" + lines.join("\n") + "\n---\n\n" + body
  }

  /* Where the repository takes a new file: edit_uri is edit/BRANCH/FOLDER/ (GitLab: -/edit/...). */
  function host() {
    var match = /^\/?(-\/)?(?:edit|blob|tree)\/([^/]+)\/(.*?)\/?$/.exec(setting("edit-uri"))
    if (!repoUrl || !match) return null
    var gitlab = Boolean(match[1])
    try { gitlab = gitlab || /gitlab/i.test(new URL(repoUrl).hostname) } catch (e) { return null }
    return { gitlab: gitlab, branch: match[2], folder: match[3] ? match[3] + "/" : "" }
  }
  function newFileUrl(where, path, text) {
    var branch = encodeURIComponent(where.branch)
    if (where.gitlab) {
      return repoUrl + "/-/new/" + branch + "/?file_name=" + encodeURIComponent(path) + "&content=" + encodeURIComponent(text)
    }
    return repoUrl + "/new/" + branch + "?filename=" + encodeURIComponent(path) + "&value=" + encodeURIComponent(text)
  }

  var where = host()
  var button = $("hb-propose-go")
  button.textContent = where ? "Open the new file on " + (where.gitlab ? "GitLab" : "GitHub") : "Make the story file"

  form.addEventListener("submit", function (event) {
    event.preventDefault()
    tried = true
    var found = validate()
    var result = $("hb-propose-result")
    result.textContent = ""
    if (found.first) {
      var el = $(found.first)
      ;(el.tagName === "FIELDSET" ? el.querySelector("input") || el : el).focus()
      result.textContent = "Some answers need a change: see the notes beside them."
      return
    }
    if (found.warnings && found.warnings !== warned) {
      warned = found.warnings
      result.textContent = "Some words are ones `handbook check` warns about: see the notes beside them. Change them, or press the button again to make the file as it is."
      return
    }
    var text = storyFile()
    var date = $("hb-date").value
    var name = slug(value("hb-title")) + ".md"
    var path = date.slice(0, 4) + "/" + name
    if (where) {
      window.location.assign(newFileUrl(where, where.folder + path, text))
      return
    }
    var link = document.createElement("a")
    link.href = URL.createObjectURL(new Blob([text], { type: "text/markdown" }))
    link.download = name
    link.id = "hb-propose-file"
    link.textContent = "Download " + name
    var folder = form.dataset.folder ? form.dataset.folder.replace(/\/+$/, "") + "/" : ""
    var how = document.createElement("p")
    how.textContent = "Save it as " + folder + path + " in the handbook's repository (or send it to whoever looks after the handbook); `handbook check` then says if anything is left to do."
    var p = document.createElement("p")
    p.appendChild(link)
    result.appendChild(p)
    result.appendChild(how)
    link.focus()
  })

  /* Once the form was tried, each problem goes away as soon as it is fixed. */
  form.addEventListener("input", function (event) {
    if (!tried) return
    var target = event.target.closest("fieldset.hb-choices") || event.target
    if (checks[target.id] || written.indexOf(target.id) >= 0) note(target.id)
  })
})()
