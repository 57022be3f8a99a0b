/* The remkg explorer: what to draw is decided here, from the data embedded in the page.
 *
 * The state (view, shown kinds, filters, date, expanded nodes, focus, path) lives in the URL
 * fragment, so a link reopens the same view. Every label and fact is put into the page with
 * textContent or as an attribute value, never as HTML. Nothing is fetched.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("graph-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var DAY = 86400000;
  var COL = 150;
  var FORCE_BUDGET_MS = 2000;  // large graphs stop the force layout early rather than freeze the page
  var KINDS = ["project", "organisation", "cluster", "event", "capability", "material", "sector", "challenge"];  // all but stages

  // ---- the graph, indexed -------------------------------------------------------------------
  var byId = {};
  var adjacent = {};  // id -> [[other id, relation]]
  D.nodes.forEach(function (n) { byId[n.id] = n; adjacent[n.id] = []; });
  D.edges.forEach(function (e) {
    adjacent[e[0]].push([e[1], e[2]]);
    adjacent[e[1]].push([e[0], e[2]]);
  });
  function kindOf(id) { return byId[id] ? byId[id].kind : "group"; }
  function neighbours(id, kind) {
    return adjacent[id].filter(function (a) { return !kind || kindOf(a[0]) === kind; }).map(function (a) { return a[0]; });
  }
  function isParticipation(a, b) {
    var kinds = [kindOf(a), kindOf(b)].sort().join();
    return kinds === "organisation,project";
  }
  var stages = D.nodes.filter(function (n) { return n.kind === "stage"; });
  var chain = stages.filter(function (s) { return s.order !== null && s.order !== undefined; })
    .sort(function (a, b) { return a.order - b.order; });
  var themes = stages.filter(function (s) { return s.order === null || s.order === undefined; })
    .sort(function (a, b) { return a.label.localeCompare(b.label); });
  var stageColumn = {};
  chain.forEach(function (s, i) { stageColumn[s.id] = i * COL; });
  themes.forEach(function (s, i) { stageColumn[s.id] = (chain.length + 0.7 + i) * COL; });
  var projects = D.nodes.filter(function (n) { return n.kind === "project"; });
  var partnerCount = {};
  var projectCount = {};
  D.nodes.forEach(function (n) {
    partnerCount[n.id] = neighbours(n.id, "organisation").length;
    projectCount[n.id] = neighbours(n.id, "project").length;
  });

  function sid(id) { return id.indexOf(D.idBase) === 0 ? id.slice(D.idBase.length) : id; }
  function lid(short) { return short.indexOf("://") > 0 || short.indexOf("group:") === 0 ? short : D.idBase + short; }

  // ---- dates ----------------------------------------------------------------------------------
  function toDays(iso) { var p = iso.split("-"); return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY; }
  function fromDays(days) { return new Date(days * DAY).toISOString().slice(0, 10); }
  function activeOn(p, iso) { return !!p.start && p.start <= iso && (!p.end || p.end >= iso); }
  function activeProjects(iso) { return projects.filter(function (p) { return activeOn(p, iso); }).map(function (p) { return p.id; }); }
  function stageActive(stageId, iso) {
    return projects.filter(function (p) { return p.stages.indexOf(stageId) >= 0 && activeOn(p, iso); });
  }
  var bounds = projects.reduce(function (acc, p) {
    [p.start, p.end].forEach(function (d) { if (d) { acc[0] = Math.min(acc[0], toDays(d)); acc[1] = Math.max(acc[1], toDays(d)); } });
    return acc;
  }, [toDays(D.day), toDays(D.day)]);

  // ---- state, and the URL fragment --------------------------------------------------------------
  var DEFAULTS = {view: "chain", show: ["project"], stage: "", country: "", programme: "", cluster: "", fmin: "", fmax: "",
    dated: true, date: D.day, expanded: [], focus: "", depth: 2, from: "", to: "", sel: "", suggested: false,
    coMentions: true, groupOrgs: false, groupProjects: false};
  var LISTS = ["show", "expanded"];
  var FLAGS = ["dated", "suggested", "coMentions", "groupOrgs", "groupProjects"];
  var S = {};

  function fromFragment(text) {
    var state = JSON.parse(JSON.stringify(DEFAULTS));
    Object.keys(D.initial || {}).forEach(function (key) { state[key] = D.initial[key]; });
    var params = new URLSearchParams(text.replace(/^#/, ""));
    params.forEach(function (value, key) {
      if (!(key in DEFAULTS)) { return; }
      if (LISTS.indexOf(key) >= 0) { state[key] = value ? value.split(",") : []; }
      else if (FLAGS.indexOf(key) >= 0) { state[key] = value === "1"; }
      else if (key === "depth") { state[key] = Math.max(1, parseInt(value, 10) || 1); }
      else { state[key] = value; }
    });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(state.date)) { state.date = D.day; }
    return state;
  }
  function toFragment() {
    var params = new URLSearchParams();
    Object.keys(DEFAULTS).forEach(function (key) {
      var value = S[key];
      if (LISTS.indexOf(key) >= 0) { value = value.join(","); }
      else if (FLAGS.indexOf(key) >= 0) { value = value ? "1" : "0"; }
      var base = LISTS.indexOf(key) >= 0 ? DEFAULTS[key].join(",") : FLAGS.indexOf(key) >= 0 ? (DEFAULTS[key] ? "1" : "0") : String(DEFAULTS[key]);
      if (String(value) !== base) { params.set(key, value); }
    });
    return params.toString();
  }
  function keepInUrl() {
    var fragment = toFragment();
    var url = location.href.split("#")[0] + (fragment ? "#" + fragment : "");
    try { history.replaceState(null, "", url); } catch (error) { ignoreHashChange = true; location.hash = fragment; }
    $("link").value = url;
  }
  var ignoreHashChange = false;

  // ---- which nodes are visible ------------------------------------------------------------------
  function projectPasses(p) {
    if (S.stage && p.stages.indexOf(lid(S.stage)) < 0) { return false; }
    if (S.programme && p.programme !== S.programme) { return false; }
    if (S.cluster && !inCluster(p.id) && !neighbours(p.id, "organisation").some(inCluster)) { return false; }
    if (S.fmin !== "" && (p.eu === null || p.eu === undefined || p.eu < parseFloat(S.fmin) * 1e6)) { return false; }
    if (S.fmax !== "" && (p.eu === null || p.eu === undefined || p.eu > parseFloat(S.fmax) * 1e6)) { return false; }
    if (S.country && !neighbours(p.id, "organisation").some(function (o) { return byId[o].country === S.country; })) { return false; }
    return true;
  }
  function inCluster(id) { return neighbours(id, "cluster").indexOf(lid(S.cluster)) >= 0; }
  function projectFilterOn() { return !!(S.stage || S.programme || S.fmin !== "" || S.fmax !== ""); }
  function nodePasses(id, passing) {
    var kind = kindOf(id);
    if (kind === "project") { return passing.has(id); }
    if (kind === "organisation") { return (!S.country || byId[id].country === S.country) && (!S.cluster || inCluster(id)); }
    if (kind === "stage") { return false; }  // stages are the frame, never a way through
    return S.show.indexOf(kind) >= 0;
  }

  function visibleSet() {
    var passing = new Set(projects.filter(projectPasses).map(function (p) { return p.id; }));
    var shown = new Set(stages.map(function (s) { return s.id; }));
    var add = function (id) { shown.add(id); };
    if (S.focus && byId[lid(S.focus)]) {
      var start = lid(S.focus), frontier = [start], seen = new Set([start]);
      for (var step = 0; step < S.depth; step++) {
        var next = [];
        frontier.forEach(function (id) {
          neighbours(id).forEach(function (n) {
            if (!seen.has(n) && nodePasses(n, passing)) { seen.add(n); next.push(n); }
          });
        });
        frontier = next;
      }
      seen.forEach(add);
    } else {
      if (S.show.indexOf("project") >= 0) { passing.forEach(add); }
      D.nodes.forEach(function (n) {
        if (n.kind !== "organisation" || !nodePasses(n.id, passing)) { return; }
        var inPassing = neighbours(n.id, "project").some(function (p) { return passing.has(p); });
        if ((S.country || S.cluster || S.show.indexOf("organisation") >= 0) && (inPassing || !projectFilterOn())) { add(n.id); }
      });
      if (S.cluster && byId[lid(S.cluster)]) { add(lid(S.cluster)); }
      S.expanded.map(lid).forEach(function (id) {
        if (!byId[id]) { return; }
        add(id);
        neighbours(id).forEach(function (n) {
          var kind = kindOf(n);
          if (kind === "project" || kind === "organisation" || S.show.indexOf(kind) >= 0) { add(n); }
        });
      });
      var anchors = Array.from(shown).filter(function (id) { return kindOf(id) === "project" || kindOf(id) === "organisation"; });
      anchors.forEach(function (id) {
        neighbours(id).forEach(function (n) { if (kindOf(n) !== "project" && kindOf(n) !== "organisation" && S.show.indexOf(kindOf(n)) >= 0) { add(n); } });
      });
    }
    currentPath().nodes.forEach(add);
    return shown;
  }

  // ---- aggregated views above the node limit -------------------------------------------------
  function representatives(shown) {
    var orgs = Array.from(shown).filter(function (id) { return kindOf(id) === "organisation"; });
    var groupOrgs = S.groupOrgs || shown.size > D.maxNodes;
    var afterOrgs = shown.size - (groupOrgs ? orgs.length : 0) + (groupOrgs ? new Set(orgs.map(function (o) { return byId[o].country; })).size : 0);
    var groupProjects = S.groupProjects || afterOrgs > D.maxNodes;
    var rep = {};
    shown.forEach(function (id) {
      var kind = kindOf(id);
      if (groupOrgs && kind === "organisation") { rep[id] = "group:country:" + (byId[id].country || "unknown"); }
      else if (groupProjects && kind === "project") {
        var first = chain.concat(themes).filter(function (s) { return byId[id].stages.indexOf(s.id) >= 0; })[0];
        rep[id] = "group:stage:" + (first ? sid(first.id) : "none");
      } else { rep[id] = id; }
    });
    return {rep: rep, groupOrgs: groupOrgs, groupProjects: groupProjects};
  }

  // ---- paths between actors -------------------------------------------------------------------
  function distances(source) {
    var dist = new Map([[source, 0]]), queue = [source];
    for (var i = 0; i < queue.length; i++) {
      var here = queue[i];
      adjacent[here].forEach(function (a) {
        if (!dist.has(a[0]) && isParticipation(here, a[0])) { dist.set(a[0], dist.get(here) + 1); queue.push(a[0]); }
      });
    }
    return dist;
  }
  function shortestPaths(a, b) {
    var none = {nodes: [], edges: new Set(), length: null};
    if (!byId[a] || !byId[b] || a === b) { return none; }
    var fromA = distances(a), fromB = distances(b);
    if (!fromA.has(b)) { return none; }
    var length = fromA.get(b), nodes = [], edges = new Set();
    fromA.forEach(function (d, id) { if (fromB.has(id) && d + fromB.get(id) === length) { nodes.push(id); } });
    nodes.forEach(function (id) {
      adjacent[id].forEach(function (x) {
        if (fromB.has(x[0]) && isParticipation(id, x[0]) && fromA.get(id) + 1 + fromB.get(x[0]) === length) { edges.add(id + "\n" + x[0]); }
      });
    });
    return {nodes: nodes, edges: edges, length: length};
  }
  var pathCache = {key: null, value: null};
  function currentPath() {
    var key = S.from + "|" + S.to;
    if (pathCache.key !== key) { pathCache = {key: key, value: S.from && S.to ? shortestPaths(lid(S.from), lid(S.to)) : shortestPaths("", "")}; }
    return pathCache.value;
  }

  // ---- drawing ------------------------------------------------------------------------------------
  function tooltip(text) {  // a DOM element, so vis shows it as text and never parses it as HTML
    var element = document.createElement("div");
    element.textContent = text;
    return element;
  }
  function shorten(text, size) { return text.length > size ? text.slice(0, size - 1) + "…" : text; }
  function money(value) { return value === null || value === undefined ? "not recorded" : "€" + (value / 1e6).toFixed(2) + " M"; }

  function stageNode(s, path) {
    var active = stageActive(s.id, S.date).length;
    var gap = S.dated && active === 0;
    var covering = projects.filter(function (p) { return p.stages.indexOf(s.id) >= 0; }).length;
    var label = s.label + "\n" + covering + " projects" + (S.dated ? " · " + active + " active" : "");
    return {id: s.id, label: label, shape: "box", kind: "stage",
      color: {background: s.colour, border: gap ? D.gapColour : "#333333"}, borderWidth: gap || path ? 5 : 1,
      font: {color: "#111111", size: 24}, margin: 6, widthConstraint: {minimum: COL - 40, maximum: COL - 14},
      title: tooltip(s.label + "\n" + (s.order ? "value-chain stage " + s.order : "cross-cutting theme") + " · " + covering + " project(s), " + active + " active on " + S.date)};
  }
  function entityNode(n, path) {
    var style = D.styles[n.kind] || D.styles.project;
    var grey = n.kind === "project" && S.dated && !activeOn(n, S.date);
    var text = n.label, value = 2, tip = n.label + "\n" + n.kind;
    if (n.kind === "project") {
      value = 4 + Math.min(partnerCount[n.id], 20);
      text = n.label + " (" + partnerCount[n.id] + ")";
      tip += " · " + (n.start || "?") + " – " + (n.end || "?") + "\n" + partnerCount[n.id] + " partner(s) · EU contribution " + money(n.eu);
    } else if (n.kind === "organisation") {
      value = 1 + Math.min(projectCount[n.id], 12);
      text = shorten(n.label, S.view === "chain" ? 22 : 30);
      tip += " · " + (n.country ? (D.countries[n.country] || n.country) : "country unknown") + "\n" + projectCount[n.id] + " project(s)";
    }
    return {id: n.id, label: text, value: value, kind: n.kind, shape: style.shape, active: !grey,
      color: {background: grey ? "#dddddd" : style.colour, border: path ? "#d35400" : grey ? "#bbbbbb" : "#444444"},
      borderWidth: path ? 4 : 1, font: {color: grey ? "#999999" : "#222222"}, title: tooltip(tip)};
  }
  function groupNode(id, members) {
    var parts = id.split(":"), what = parts[1], key = parts.slice(2).join(":");
    var name = what === "country" ? (D.countries[key] || key) : (byId[lid(key)] ? byId[lid(key)].label : key);
    var noun = what === "country" ? "organisation(s)" : "project(s)";
    return {id: id, label: name + ": " + members + " " + noun, value: 6 + Math.min(members, 30), kind: "group", shape: "ellipse",
      color: {background: what === "country" ? "#f7e7a6" : "#c6d6ea", border: "#444444"},
      title: tooltip(name + "\n" + members + " " + noun + " grouped (click to filter on it)")};
  }

  function layout(items) {  // the value-chain view: stages as columns, projects under their stages, the rest near their links
    var x = {}, buckets = {};
    function place(id, column, rowStart, width) {
      var key = Math.round(column / width);
      buckets[rowStart] = buckets[rowStart] || {};
      var bucket = buckets[rowStart][key] = buckets[rowStart][key] || [];
      bucket.push(id);
      x[id] = key * width;
    }
    function mean(values, fallback) { return values.length ? values.reduce(function (a, b) { return a + b; }, 0) / values.length : fallback; }
    items.nodes.forEach(function (n) { if (n.kind === "stage") { x[n.id] = stageColumn[n.id]; } });
    var neighboursOf = items.links;
    var sorted = items.nodes.slice().sort(function (a, b) { return String(a.label).localeCompare(String(b.label)); });
    var tiers = [["project", 1], ["group-project", 1], ["organisation", 2], ["group-org", 2], ["other", 0]];
    var tierOf = function (n) {
      if (n.kind === "group") { return n.id.indexOf("group:country:") === 0 ? "group-org" : "group-project"; }
      return n.kind === "project" || n.kind === "organisation" ? n.kind : n.kind === "stage" ? null : "other";
    };
    function nearest(column, columns) {  // a column the node belongs under, not a point between two
      return columns.length ? columns.reduce(function (best, c) { return Math.abs(c - column) < Math.abs(best - column) ? c : best; }) : column;
    }
    tiers.forEach(function (tier) {
      sorted.forEach(function (n) {
        if (tierOf(n) !== tier[0]) { return; }
        var columns;
        if (n.kind === "project") { columns = byId[n.id].stages.map(function (s) { return stageColumn[s]; }); }
        else if (tier[0] === "group-project") { columns = [stageColumn[lid(n.id.slice("group:stage:".length))]].filter(function (c) { return c !== undefined; }); }
        else { columns = (neighboursOf[n.id] || []).filter(function (m) { return x[m] !== undefined; }).map(function (m) { return x[m]; }); }
        place(n.id, nearest(mean(columns, -COL), columns.length ? columns : [-COL]), tier[1], COL);
      });
    });
    var y = {}, bottom = {0: 0, 1: 0, 2: 0};
    [1, 2, 0].forEach(function (tier) {
      var step = tier === 1 ? 62 : 38, start = tier === 1 ? 110 : tier === 2 ? bottom[1] + 150 : -190;
      Object.keys(buckets[tier] || {}).forEach(function (key) {
        buckets[tier][key].forEach(function (id, i) {
          y[id] = tier === 0 ? start - i * step : start + i * step;
          bottom[tier] = Math.max(bottom[tier], y[id]);
        });
      });
      if (tier === 1 && !buckets[1]) { bottom[1] = 60; }
    });
    items.nodes.forEach(function (n) {
      n.x = x[n.id];
      n.y = n.kind === "stage" ? 0 : y[n.id];
    });
    return Math.max(bottom[1], bottom[2]) + 60;
  }
  function drawBands(ctx, bottom) {  // behind the chain view: the themes as a band of their own, and captions
    var top = -75, x0 = stageColumn[themes[0].id] - COL / 2 + 6, x1 = stageColumn[themes[themes.length - 1].id] + COL / 2 - 6;
    ctx.save();
    ctx.fillStyle = "rgba(235, 235, 240, 0.8)";
    ctx.fillRect(x0, top, x1 - x0, bottom - top);
    ctx.fillStyle = "#555555"; ctx.font = "20px sans-serif"; ctx.textAlign = "center";
    ctx.fillText("cross-cutting themes", (x0 + x1) / 2, top - 12);
    ctx.fillText("the value chain, in order →", (stageColumn[chain[0].id] + stageColumn[chain[chain.length - 1].id]) / 2, top - 12);
    ctx.restore();
  }

  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var network = new vis.Network($("network"), {nodes: nodes, edges: edges}, {
    autoResize: true,
    layout: {randomSeed: 7, improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 150, keyboard: {enabled: true, bindToWindow: false}, multiselect: false},
    edges: {smooth: false, color: {color: "#bbbbbb"}, width: 1},
    nodes: {scaling: {min: 8, max: 22, label: {enabled: true, min: 17, max: 22, maxVisible: 22, drawThreshold: 7}}},
    physics: {enabled: false}
  });
  window.remkgNetwork = network; window.remkgNodes = nodes; window.remkgEdges = edges;

  var drawn = {key: null, nodeStyles: {}, edgeStyles: {}};
  function styleOf(item) { return JSON.stringify([item.label, item.color, item.borderWidth, item.font, item.width]); }
  function styles(items) {
    var result = {};
    items.forEach(function (item) { result[item.id] = styleOf(item); });
    return result;
  }
  function changed(items, before) {  // the style fields of the items whose look changed (vis merges updates slowly)
    return items.filter(function (item) { return before[item.id] !== styleOf(item); }).map(function (item) {
      var patch = {id: item.id};
      ["label", "color", "borderWidth", "font", "width", "active"].forEach(function (k) { if (item[k] !== undefined) { patch[k] = item[k]; } });
      return patch;
    });
  }
  function render() {
    var shown = visibleSet();
    var grouping = representatives(shown);
    var rep = grouping.rep;
    var path = currentPath();
    var onPath = new Set(path.nodes);
    var members = {};
    shown.forEach(function (id) { members[rep[id]] = (members[rep[id]] || 0) + 1; });
    var list = Object.keys(members).sort().map(function (id) {
      if (id.indexOf("group:") === 0) { return groupNode(id, members[id]); }
      return byId[id].kind === "stage" ? stageNode(byId[id], onPath.has(id)) : entityNode(byId[id], onPath.has(id));
    });
    var links = {}, edgeList = [], seenEdges = new Set();
    D.edges.forEach(function (e) {
      if (!shown.has(e[0]) || !shown.has(e[1])) { return; }
      var a = rep[e[0]], b = rep[e[1]];
      var key = a < b ? a + "\n" + b : b + "\n" + a;
      if (a === b || seenEdges.has(key)) { return; }
      seenEdges.add(key);
      (links[a] = links[a] || []).push(b); (links[b] = links[b] || []).push(a);
      var highlighted = path.edges.has(e[0] + "\n" + e[1]) || path.edges.has(e[1] + "\n" + e[0]);
      var covers = e[2] === "covers";
      edgeList.push({id: key, from: a, to: b, relation: e[2], title: tooltip(e[2]),
        color: {color: highlighted ? "#d35400" : covers ? "#e3e3e3" : "#b5b5b5"}, width: highlighted ? 5 : 1});
    });
    if (S.suggested) {
      D.synergies.forEach(function (s) {
        if (s[2] !== "complementary" || !shown.has(s[0]) || !shown.has(s[1]) || rep[s[0]] !== s[0] || rep[s[1]] !== s[1]) { return; }
        edgeList.push({id: "suggested\n" + s[0] + "\n" + s[1], from: s[0], to: s[1], dashes: true, relation: "suggested",
          color: {color: "#e67e22"}, width: 2, title: tooltip(s[3])});
      });
    }
    if (S.coMentions) {
      (D.coMentions || []).forEach(function (m) {
        if (!shown.has(m[0]) || !shown.has(m[1]) || rep[m[0]] !== m[0] || rep[m[1]] !== m[1]) { return; }
        edgeList.push({id: "co-mention\n" + m[0] + "\n" + m[1], from: m[0], to: m[1], dashes: [2, 6], relation: "co-mentioned",
          layer: "co-mention", color: {color: "#8e44ad"}, width: 2, title: tooltip(m[2])});
      });
    }
    var key = S.view + "|" + list.map(function (n) { return n.id; }).join(",") + "|" + edgeList.map(function (e) { return e.id; }).join(",");
    var relayout = key !== drawn.key;
    if (relayout) {
      drawn.bottom = layout({nodes: list, links: links});  // the force view starts from the chain layout, so it settles sooner
      if (S.view === "force") {
        list.forEach(function (n) { if (n.kind === "stage") { n.x *= 2; n.y = -500; n.fixed = true; } });  // a wide frame above the network
      }
      settleStarted = performance.now();
      window.remkgReady = false;
      nodes.clear(); edges.clear();
      nodes.add(list); edges.add(edgeList);
      if (S.view === "force") {
        network.setOptions({physics: {enabled: true, solver: "barnesHut", stabilization: {enabled: true, iterations: 300, updateInterval: 10, fit: false},
          barnesHut: {gravitationalConstant: -5000, springLength: 120, avoidOverlap: 0.1}}});
        network.stabilize(300);
      } else {
        network.setOptions({physics: {enabled: false}});
        network.fit({animation: false});
        network.redraw();
        settled();
      }
      drawn.key = key;
    } else {  // same nodes and edges: restyle only what changed (the date moved, a path was found)
      nodes.update(changed(list, drawn.nodeStyles));
      edges.update(changed(edgeList, drawn.edgeStyles));
    }
    drawn.nodeStyles = styles(list);
    drawn.edgeStyles = styles(edgeList);
    var notice = [];
    if (grouping.groupOrgs && !S.groupOrgs) { notice.push("organisations are grouped by country"); }
    if (grouping.groupProjects && !S.groupProjects) { notice.push("projects are grouped by stage"); }
    $("notice").hidden = notice.length === 0;
    $("notice").textContent = notice.length ? shown.size + " nodes is more than the page draws at once (limit " + D.maxNodes + "): " +
      notice.join(" and ") + ". Click a group, or narrow with filters or focus, to see them one by one." : "";
    $("status").textContent = list.length + " nodes, " + edgeList.length + " edges shown of " + D.nodes.length + " and " + D.edges.length +
      (S.focus ? " · focus on " + (byId[lid(S.focus)] ? byId[lid(S.focus)].label : S.focus) + ", depth " + S.depth : "");
    showDate();
    showPath();
    syncControls();
    keepInUrl();
    if (S.sel && byId[lid(S.sel)]) { showDetails(lid(S.sel)); if (nodes.get(lid(S.sel))) { network.selectNodes([lid(S.sel)]); } }
    else { document.body.classList.remove("with-details"); }
  }

  var settleStarted = performance.now();
  function settled() {
    var seconds = (performance.now() - settleStarted) / 1000;
    window.remkgSettle = {seconds: seconds, sincePageStart: performance.now() / 1000, nodes: nodes.length, edges: edges.length};
    window.remkgReady = true;
  }
  network.on("beforeDrawing", function (ctx) {
    if (S.view === "chain" && chain.length && themes.length) { drawBands(ctx, drawn.bottom); }
  });
  network.on("stabilizationProgress", function () {  // the force layout gets a time budget, not a fixed number of rounds
    if (performance.now() - settleStarted > FORCE_BUDGET_MS) { network.stopSimulation(); }
  });
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    network.fit({animation: false});
    settled();
  });

  // ---- the date ---------------------------------------------------------------------------------
  function showDate() {
    $("date-label").textContent = S.date;
    var active = activeProjects(S.date).length;
    var gaps = stages.filter(function (s) { return stageActive(s.id, S.date).length === 0; }).map(function (s) { return s.label; });
    $("gap-summary").textContent = "On " + S.date + ": " + active + " project(s) active. Stages and themes with no active project: " +
      (gaps.length ? gaps.join(", ") : "none") + ".";
  }
  var player = null;
  function stopPlaying() {
    if (player) { clearInterval(player); player = null; }
    $("play").textContent = "Play"; $("play").setAttribute("aria-pressed", "false");
  }

  // ---- details panel ----------------------------------------------------------------------------
  function element(tag, text, attributes) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (k) { e.setAttribute(k, attributes[k]); });
    return e;
  }
  function button(text, action) {
    var b = element("button", text, {type: "button"});
    b.addEventListener("click", action);
    return b;
  }
  function safeUrl(url) { return /^https?:\/\//i.test(url) ? url : null; }
  function list(title, items, empty) {
    var box = document.createDocumentFragment();
    box.appendChild(element("h3", title));
    var ul = element("ul");
    items.forEach(function (item) { ul.appendChild(item); });
    if (!items.length) { ul.appendChild(element("li", empty || "none recorded")); }
    box.appendChild(ul);
    return box;
  }
  function entityItem(id, extra) {
    var li = element("li");
    li.appendChild(button(byId[id].label, function () { choose(id); }));
    if (extra) { li.appendChild(document.createTextNode(" " + extra)); }
    return li;
  }
  function showDetails(id) {
    var n = byId[id], body = $("details-body");
    document.body.classList.add("with-details");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    body.appendChild(element("h3", n.label));
    body.appendChild(element("p", n.kind + (n.order ? " · stage " + n.order + " of the value chain" : n.kind === "stage" ? " · cross-cutting theme" : ""), {class: "kind"}));
    var facts = [];
    if (n.kind === "project") {
      facts.push(["dates", (n.start || "?") + " – " + (n.end || "?")], ["active on " + S.date, activeOn(n, S.date) ? "yes" : "no"],
        ["EU contribution", money(n.eu)], ["partners", partnerCount[id]]);
    }
    if (n.kind === "organisation") { facts.push(["projects", projectCount[id]]); }
    (D.facts[id] || []).forEach(function (f) {
      facts.push([f[0], f[0] === "country" ? (D.countries[f[1]] || f[1]) + " (" + f[1] + ")" : f[1]]);
    });
    if (facts.length) {
      var dl = element("dl");
      facts.forEach(function (f) {
        dl.appendChild(element("dt", f[0]));
        var dd = element("dd");
        var url = f[0] === "website" ? safeUrl(String(f[1])) : null;
        dd.appendChild(url ? element("a", f[1], {href: url, target: "_blank", rel: "noopener noreferrer"}) : document.createTextNode(String(f[1])));
        dl.appendChild(dd);
      });
      body.appendChild(dl);
    }
    var actions = element("p");
    if (KINDS.indexOf(n.kind) >= 0) {
      var open = S.expanded.indexOf(sid(id)) >= 0;
      actions.appendChild(button(open ? "Collapse" : n.kind === "project" ? "Expand: show its partners" : "Expand: show its links", function () { toggleExpanded(id, !open); }));
    }
    var depth = element("select", null, {"aria-label": "Focus depth"});
    [1, 2, 3].forEach(function (d) { var o = element("option", "depth " + d, {value: String(d)}); if (d === S.depth) { o.selected = true; } depth.appendChild(o); });
    actions.appendChild(button(S.focus === sid(id) ? "Leave focus" : "Focus on its neighbourhood", function () {
      update(S.focus === sid(id) ? {focus: ""} : {focus: sid(id), depth: parseInt(depth.value, 10)});
    }));
    actions.appendChild(depth);
    actions.appendChild(button("Path from here", function () { update({from: sid(id)}); }));
    actions.appendChild(button("Path to here", function () { update({to: sid(id)}); }));
    body.appendChild(actions);
    if (n.kind === "stage") {
      var active = stageActive(id, S.date);
      body.appendChild(element("p", active.length ? active.length + " project(s) active on " + S.date : "Gap: no project active on " + S.date + "."));
      body.appendChild(list("Projects active on " + S.date, active.map(function (p) { return entityItem(p.id); })));
    }
    if (n.kind === "project") {
      body.appendChild(list("Stages and themes", n.stages.map(function (s) { return entityItem(s); })));
      var gaps = n.stages.filter(function (s) { return stageActive(s, S.date).length === 0; });
      body.appendChild(list("Its stages with no active project on " + S.date, gaps.map(function (s) { return entityItem(s); }), "none: each has an active project"));
      body.appendChild(list("Partners", adjacent[id].filter(function (a) { return kindOf(a[0]) === "organisation"; })
        .map(function (a) { return entityItem(a[0], "· " + a[1]); })));
      body.appendChild(list("Synergies (from the analysis)", D.synergies.filter(function (s) { return s[0] === id || s[1] === id; })
        .map(function (s) { return entityItem(s[0] === id ? s[1] : s[0], "· " + s[2] + ": " + s[3]); })));
    }
    if (n.kind === "organisation") {
      body.appendChild(list("Projects", adjacent[id].filter(function (a) { return kindOf(a[0]) === "project"; })
        .map(function (a) { return entityItem(a[0], "· " + a[1]); })));
    }
    if (["stage", "project", "organisation"].indexOf(n.kind) < 0) {  // clusters, events and concepts: whatever links to them
      body.appendChild(list("Linked", adjacent[id].map(function (a) { return entityItem(a[0], "· " + a[1]); })));
    }
    body.appendChild(list("Sources", (D.sources[id] || []).map(function (s) {
      var li = element("li"), url = safeUrl(s[0]);
      li.appendChild(url ? element("a", s[1], {href: url, target: "_blank", rel: "noopener noreferrer"}) : document.createTextNode(s[1]));
      return li;
    })));
    if (D.siteBase && id.indexOf(D.idBase) === 0) {
      var base = D.siteBase.replace(/\/?$/, "/");
      body.appendChild(element("p")).appendChild(element("a", "Its page in the linked-data site", {href: base + "id/" + sid(id) + "/index.html", id: "site-link"}));
    }
  }

  // ---- actions ----------------------------------------------------------------------------------
  function update(patch) {
    Object.keys(patch).forEach(function (k) { S[k] = patch[k]; });
    render();
  }
  function toggleExpanded(id, open) {
    var expanded = S.expanded.filter(function (x) { return x !== sid(id); });
    if (open) { expanded.push(sid(id)); }
    update({expanded: expanded, sel: sid(id)});
  }
  function choose(id) {  // a search result or a link in the panel: make it visible, select it, go there
    var expanded = S.expanded.slice();
    if (KINDS.indexOf(kindOf(id)) >= 0 && expanded.indexOf(sid(id)) < 0) { expanded.push(sid(id)); }
    update({expanded: expanded, sel: sid(id)});
    if (nodes.get(id)) { network.selectNodes([id]); network.focus(id, {scale: 1, animation: false}); }
  }
  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var id = params.nodes[0];
    if (id.indexOf("group:country:") === 0) { update({country: id.split(":")[2], groupOrgs: false}); return; }
    if (id.indexOf("group:stage:") === 0) { update({stage: id.split(":").slice(2).join(":"), groupProjects: false}); return; }
    if (KINDS.indexOf(kindOf(id)) >= 0 && S.expanded.indexOf(sid(id)) < 0) { toggleExpanded(id, true); return; }
    update({sel: sid(id)});
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length && S.expanded.indexOf(sid(params.nodes[0])) >= 0) { toggleExpanded(params.nodes[0], false); }
  });

  // ---- the controls -------------------------------------------------------------------------------
  function options(select, entries, none) {
    select.appendChild(element("option", none, {value: ""}));
    entries.forEach(function (e) { select.appendChild(element("option", e[1], {value: e[0]})); });
  }
  options($("f-stage"), chain.concat(themes).map(function (s) { return [sid(s.id), s.label]; }), "all stages and themes");
  var countries = Array.from(new Set(D.nodes.filter(function (n) { return n.kind === "organisation" && n.country; }).map(function (n) { return n.country; }))).sort();
  options($("f-country"), countries.map(function (c) { return [c, (D.countries[c] || c) + " (" + c + ")"]; }), "all countries");
  var programmes = Array.from(new Set(projects.map(function (p) { return p.programme; }).filter(Boolean))).sort();
  options($("f-programme"), programmes.map(function (p) { return [p, p]; }), "all programmes");
  options($("f-cluster"), D.nodes.filter(function (n) { return n.kind === "cluster"; }).map(function (n) { return [sid(n.id), n.label]; }), "all");
  KINDS.forEach(function (kind) {
    var style = D.styles[kind] || {};
    var label = element("label"), box = element("input", null, {type: "checkbox", "data-kind": kind});
    box.addEventListener("change", function () {
      update({show: KINDS.filter(function (k) { return document.querySelector('#kinds input[data-kind="' + k + '"]').checked; })});
    });
    label.appendChild(box);
    label.appendChild(element("span", null, {class: "swatch", style: "background:" + style.colour}));
    label.appendChild(document.createTextNode(kind === "organisation" ? "all organisations" : kind + "s"));
    $("kinds").appendChild(label);
  });
  Object.keys(D.styles).forEach(function (kind) {
    var row = element("div");
    row.appendChild(element("span", null, {class: "swatch", style: "background:" + D.styles[kind].colour}));
    row.appendChild(document.createTextNode(kind + " (" + D.styles[kind].shape + ")"));
    $("legend").appendChild(row);
  });
  var names = $("names");
  D.nodes.forEach(function (n) { if (n.kind === "project" || n.kind === "organisation") { names.appendChild(element("option", null, {value: n.label})); } });

  function syncControls() {
    $("view-chain").checked = S.view === "chain"; $("view-force").checked = S.view === "force";
    document.querySelectorAll("#kinds input").forEach(function (box) { box.checked = S.show.indexOf(box.dataset.kind) >= 0; });
    $("f-stage").value = S.stage; $("f-country").value = S.country; $("f-programme").value = S.programme; $("f-cluster").value = S.cluster;
    if (document.activeElement !== $("f-fmin")) { $("f-fmin").value = S.fmin; }
    if (document.activeElement !== $("f-fmax")) { $("f-fmax").value = S.fmax; }
    $("dated").checked = S.dated; $("suggested").checked = S.suggested;
    $("co-mention-layer").checked = S.coMentions;
    $("group-orgs").checked = S.groupOrgs; $("group-projects").checked = S.groupProjects;
    $("date").value = String(toDays(S.date));
  }
  $("date").min = String(bounds[0]); $("date").max = String(bounds[1]); $("date").step = "1";
  document.querySelectorAll("input[name=view]").forEach(function (radio) { radio.addEventListener("change", function () { update({view: radio.value}); }); });
  [["f-stage", "stage"], ["f-country", "country"], ["f-programme", "programme"], ["f-cluster", "cluster"], ["f-fmin", "fmin"], ["f-fmax", "fmax"]].forEach(function (pair) {
    $(pair[0]).addEventListener("change", function () { var patch = {}; patch[pair[1]] = $(pair[0]).value; update(patch); });
  });
  [["dated", "dated"], ["suggested", "suggested"], ["co-mention-layer", "coMentions"], ["group-orgs", "groupOrgs"], ["group-projects", "groupProjects"]].forEach(function (pair) {
    $(pair[0]).addEventListener("change", function () { var patch = {}; patch[pair[1]] = $(pair[0]).checked; update(patch); });
  });
  $("date").addEventListener("input", function () { update({date: fromDays(parseInt($("date").value, 10)), dated: true}); });
  $("play").addEventListener("click", function () {
    if (player) { stopPlaying(); return; }
    if (toDays(S.date) >= bounds[1]) { S.date = fromDays(bounds[0]); }
    $("play").textContent = "Pause"; $("play").setAttribute("aria-pressed", "true");
    player = setInterval(function () {
      var next = Math.min(toDays(S.date) + 30, bounds[1]);
      update({date: fromDays(next), dated: true});
      if (next >= bounds[1]) { stopPlaying(); }
    }, 400);
  });
  $("reset").addEventListener("click", function () { stopPlaying(); S = fromFragment(""); render(); });
  function resolveName(text) {
    var wanted = text.trim().toLowerCase();
    var hit = D.nodes.filter(function (n) { return String(n.label).toLowerCase() === wanted || sid(n.id) === wanted; })[0];
    return hit ? sid(hit.id) : "";
  }
  $("path-go").addEventListener("click", function () {
    var from = resolveName($("path-from").value), to = resolveName($("path-to").value);
    if (!from || !to) { $("path-result").textContent = "Pick two names from the list (a project or an organisation)."; return; }
    update({from: from, to: to});
  });
  $("details-close").addEventListener("click", function () { network.unselectAll(); update({sel: ""}); });
  $("path-clear").addEventListener("click", function () { update({from: "", to: ""}); });
  function showPath() {
    var result = $("path-result");
    if (!S.from || !S.to) { result.textContent = ""; return; }
    $("path-from").value = byId[lid(S.from)] ? byId[lid(S.from)].label : S.from;
    $("path-to").value = byId[lid(S.to)] ? byId[lid(S.to)].label : S.to;
    var path = currentPath();
    if (path.length === null) { result.textContent = "No path through shared projects and partners."; return; }
    var between = path.nodes.filter(function (id) { return id !== lid(S.from) && id !== lid(S.to); })
      .map(function (id) { return byId[id].label; }).sort();
    result.textContent = path.length + " step(s); shortest paths go through: " + (between.join(", ") || "a direct link") + ".";
  }

  $("search").addEventListener("input", function (event) {
    var results = $("results"), wanted = event.target.value.toLowerCase();
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (!wanted) { return; }
    function rank(n) {  // exact name first, then names starting with the text, then the rest
      var label = String(n.label).toLowerCase();
      return (label === wanted ? 0 : label.indexOf(wanted) === 0 ? 1 : 2) * 1000 + label.length;
    }
    D.nodes.filter(function (n) { return String(n.label).toLowerCase().indexOf(wanted) >= 0; })
      .sort(function (a, b) { return rank(a) - rank(b); }).slice(0, 20).forEach(function (n) {
        var row = button(n.label + " · " + n.kind, function () { choose(n.id); });
        row.dataset.id = n.id;
        results.appendChild(row);
      });
  });
  $("search").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && $("results").firstChild) { choose($("results").firstChild.dataset.id); }
  });

  // ---- export -------------------------------------------------------------------------------------
  function download(name, url) {
    var a = element("a", null, {href: url, download: name});
    document.body.appendChild(a); a.click(); a.remove();
  }
  function pngDataUrl() { return $("network").querySelector("canvas").toDataURL("image/png"); }
  function svgText() {
    var ns = "http://www.w3.org/2000/svg", positions = network.getPositions(), svg = document.createElementNS(ns, "svg");
    var xs = [], ys = [];
    Object.keys(positions).forEach(function (id) { xs.push(positions[id].x); ys.push(positions[id].y); });
    var pad = 120, minX = Math.min.apply(null, xs.concat([0])) - pad, minY = Math.min.apply(null, ys.concat([0])) - pad;
    var width = Math.max.apply(null, xs.concat([0])) + pad - minX, height = Math.max.apply(null, ys.concat([0])) + pad - minY;
    svg.setAttribute("xmlns", ns);
    svg.setAttribute("viewBox", [minX, minY, width, height].join(" "));
    svg.setAttribute("font-family", "sans-serif");
    svg.setAttribute("font-size", "12");
    edges.get().forEach(function (e) {
      var a = positions[e.from], b = positions[e.to];
      if (!a || !b) { return; }
      var line = document.createElementNS(ns, "line");
      [["x1", a.x], ["y1", a.y], ["x2", b.x], ["y2", b.y], ["stroke", e.color.color], ["stroke-width", e.width || 1]].forEach(function (p) { line.setAttribute(p[0], p[1]); });
      if (e.dashes) { line.setAttribute("stroke-dasharray", "6 4"); }
      svg.appendChild(line);
    });
    nodes.get().forEach(function (n) {
      var p = positions[n.id];
      if (!p) { return; }
      var mark = document.createElementNS(ns, n.shape === "box" || n.shape === "square" ? "rect" : "circle");
      if (mark.tagName === "rect") { mark.setAttribute("x", p.x - 10); mark.setAttribute("y", p.y - 10); mark.setAttribute("width", 20); mark.setAttribute("height", 20); }
      else { mark.setAttribute("cx", p.x); mark.setAttribute("cy", p.y); mark.setAttribute("r", 9); }
      mark.setAttribute("fill", n.color.background); mark.setAttribute("stroke", n.color.border);
      svg.appendChild(mark);
      var label = document.createElementNS(ns, "text");
      label.setAttribute("x", p.x); label.setAttribute("y", p.y + 24); label.setAttribute("text-anchor", "middle");
      label.textContent = String(n.label).replace(/\n/g, " ");
      svg.appendChild(label);
    });
    return new XMLSerializer().serializeToString(svg);
  }
  $("export-png").addEventListener("click", function () { download("remkg-explorer.png", pngDataUrl()); });
  $("export-svg").addEventListener("click", function () {
    download("remkg-explorer.svg", URL.createObjectURL(new Blob([svgText()], {type: "image/svg+xml"})));
  });

  // ---- start --------------------------------------------------------------------------------------
  window.addEventListener("hashchange", function () {
    if (ignoreHashChange) { ignoreHashChange = false; return; }
    S = fromFragment(location.hash); render();
  });
  window.remkgExplorer = {
    state: function () { return JSON.parse(JSON.stringify(S)); },
    update: update,
    visible: function () { return nodes.getIds(); },
    activeProjects: function () { return activeProjects(S.date); },
    greyProjects: function () { return nodes.get({filter: function (n) { return n.kind === "project" && !n.active; }}).map(function (n) { return n.id; }); },
    gapStages: function () { return stages.filter(function (s) { return stageActive(s.id, S.date).length === 0; }).map(function (s) { return s.id; }); },
    path: currentPath,
    svg: svgText,
    png: pngDataUrl
  };
  $("title").textContent = D.title;
  S = fromFragment(location.hash);
  render();
})();
