// Link chart of a case, drawn with Cytoscape.js from the JSON API.
//
// Reads go to /api/v1/cases/{number}/graph with the session cookie. Saves send the CSRF token
// from the page's meta tag. Parallel edges of one relationship type between two nodes (forty
// calls) are drawn as one edge labelled with their count. Each of them keeps its own dates, so
// the timeline range counts and hides them one by one. The strict Content-Security-Policy of
// the web UI allows no inline script or style, so everything here comes from this file.
(function () {
  "use strict";

  const root = document.getElementById("link-chart");
  if (!root) {
    return;
  }
  if (typeof window.cytoscape !== "function") {
    const missing = document.getElementById("chart-status");
    missing.textContent = "Cytoscape.js is missing from /static/vendor: the server's administrator runs `make static`.";
    missing.classList.add("error");
    return;
  }

  const caseNumber = root.dataset.case;
  const caseApi = "/api/v1/cases/" + encodeURIComponent(caseNumber);
  const graphApi = caseApi + "/graph";
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.content : "";
  const canWrite = root.dataset.canWrite === "true";
  const statusLine = document.getElementById("chart-status");
  const EXPAND_LIMIT = 200;
  const SEED_NODES = 12;

  let chartId = root.dataset.chart || null;
  let chartVersion = null;
  let timelineDays = [];

  const ICONS = {
    Person: "person",
    Company: "company",
    Organization: "organization",
    LegalEntity: "organization",
    PublicBody: "organization",
    Address: "address",
    Vehicle: "vehicle",
    BankAccount: "account",
    Passport: "document",
    Identification: "document",
    Document: "document",
    Sanction: "document",
    Event: "event",
    phone: "phone",
    email: "email",
    identifier: "identifier",
    iban: "account",
  };
  const COLOURS = {
    Person: "#1f5fae",
    Company: "#7a4ea3",
    Organization: "#7a4ea3",
    LegalEntity: "#7a4ea3",
    Address: "#2e7d6b",
    Vehicle: "#a35a1f",
    BankAccount: "#8a6d1c",
    phone: "#b3261e",
    email: "#b3261e",
    identifier: "#5b6674",
    iban: "#8a6d1c",
  };

  // -- talking to the API ----------------------------------------------------------------------

  async function request(method, url, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = csrfToken;
    }
    const options = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const message = data && data.error ? data.error.message : "request failed with status " + response.status;
      throw new Error(message);
    }
    return data;
  }

  function query(params) {
    const search = new URLSearchParams();
    Object.keys(params).forEach(function (name) {
      const value = params[name];
      (Array.isArray(value) ? value : [value]).forEach(function (item) {
        search.append(name, String(item));
      });
    });
    return "?" + search.toString();
  }

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function failed(error) {
    say(error.message, true);
  }

  // -- the chart -------------------------------------------------------------------------------

  const cy = window.cytoscape({
    container: document.getElementById("chart-canvas"),
    minZoom: 0.1,
    maxZoom: 4,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: true,
    style: [
      {
        selector: "node",
        style: {
          label: "data(caption)",
          "background-color": "data(colour)",
          "background-image": "data(icon)",
          "background-width": "60%",
          "background-height": "60%",
          width: 38,
          height: 38,
          "font-size": 10,
          color: "#1d232b",
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "ellipsis",
          "text-max-width": "140px",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
          "text-background-padding": "1px",
        },
      },
      { selector: 'node[kind = "value"]', style: { shape: "round-rectangle", width: 30, height: 30 } },
      { selector: "node.pinned", style: { "border-width": 4, "border-style": "double", "border-color": "#1d232b" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#e0b84c" } },
      { selector: "node.match", style: { "border-width": 4, "border-color": "#e0b84c", "font-weight": "bold" } },
      {
        selector: "edge",
        style: {
          width: "mapData(count, 1, 40, 1.5, 7)",
          "line-color": "#9aa5b1",
          "target-arrow-color": "#9aa5b1",
          "curve-style": "bezier",
          label: "data(display)",
          "font-size": 8,
          color: "#3c4650",
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 1,
          "text-background-padding": "1px",
        },
      },
      { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle" } },
      { selector: "edge:selected", style: { "line-color": "#e0b84c", "target-arrow-color": "#e0b84c" } },
      { selector: "edge.path", style: { "line-color": "#b3261e", "target-arrow-color": "#b3261e", width: 4 } },
      { selector: "edge.hide-label", style: { label: "" } },
      { selector: ".faded", style: { opacity: 0.2 } },
      { selector: ".filtered, .out-of-range", style: { display: "none" } },
    ],
  });
  // Tests and the browser console reach the chart through its section element.
  root.cy = cy;

  function nodeData(node) {
    return {
      id: node.id,
      caption: node.caption,
      schema: node.schema,
      kind: node.kind,
      cases: node.cases,
      icon: "/static/graph-icons/" + (ICONS[node.schema] || "thing") + ".svg",
      colour: COLOURS[node.schema] || "#5b6674",
    };
  }

  function edgeGroupId(edge) {
    return "group:" + edge.source + ">" + edge.target + ":" + edge.relation;
  }

  function addElements(elements, positions) {
    const added = [];
    elements.nodes.forEach(function (node) {
      if (cy.getElementById(node.id).nonempty()) {
        return;
      }
      const element = { group: "nodes", data: nodeData(node) };
      if (positions && positions[node.id]) {
        element.position = positions[node.id];
      }
      added.push(cy.add(element));
    });
    elements.edges.forEach(function (edge) {
      if (cy.getElementById(edge.source).empty() || cy.getElementById(edge.target).empty()) {
        return;
      }
      const groupId = edgeGroupId(edge);
      let group = cy.getElementById(groupId);
      if (group.empty()) {
        group = cy.add({
          group: "edges",
          data: {
            id: groupId,
            source: edge.source,
            target: edge.target,
            relation: edge.relation,
            label: edge.label,
            directed: edge.directed,
            members: [],
            count: 0,
            display: edge.label,
          },
        });
      }
      const members = group.data("members");
      if (!members.some(function (member) { return member.id === edge.id; })) {
        members.push({ id: edge.id, entity: edge.entity_id, start: edge.start, end: edge.end, case: edge.case });
      }
    });
    refreshFilters();
    applyTimeline();
    return cy.collection(added);
  }

  function placeAround(center, nodes) {
    const origin = center.position();
    const radius = 90 + nodes.length * 6;
    nodes.forEach(function (node, index) {
      const angle = (2 * Math.PI * index) / nodes.length;
      node.position({ x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) });
    });
  }

  function runLayout(name) {
    const layout = cy.elements(":visible").layout({
      name: name,
      animate: false,
      fit: true,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
    });
    layout.run();
  }

  // -- filters and timeline --------------------------------------------------------------------

  function checkboxes(fieldsetId, values, checkedValues, onChange) {
    const fieldset = document.getElementById(fieldsetId);
    const legend = fieldset.querySelector("legend");
    const previous = {};
    fieldset.querySelectorAll("input").forEach(function (input) {
      previous[input.value] = input.checked;
    });
    fieldset.replaceChildren(legend);
    values.forEach(function (value) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = value;
      input.checked = checkedValues ? checkedValues.indexOf(value) >= 0 : previous[value] !== false;
      input.addEventListener("change", onChange);
      label.append(input, " " + value);
      fieldset.append(label);
    });
  }

  function checkedValues(fieldsetId) {
    const inputs = Array.from(document.querySelectorAll("#" + fieldsetId + " input"));
    return {
      all: inputs.map(function (input) { return input.value; }),
      on: inputs.filter(function (input) { return input.checked; }).map(function (input) { return input.value; }),
    };
  }

  function unique(values) {
    return Array.from(new Set(values)).sort();
  }

  function refreshFilters(saved) {
    const schemata = unique(cy.nodes().map(function (node) { return node.data("schema"); }));
    const relations = unique(cy.edges().map(function (edge) { return edge.data("relation"); }));
    checkboxes("chart-schemata", schemata, saved && saved.schemata.length ? saved.schemata : null, applyFilters);
    checkboxes("chart-relations", relations, saved && saved.relations.length ? saved.relations : null, applyFilters);
    refreshTimeline(saved);
    applyFilters();
  }

  function applyFilters() {
    const schemata = checkedValues("chart-schemata").on;
    const relations = checkedValues("chart-relations").on;
    cy.nodes().forEach(function (node) {
      node.toggleClass("filtered", schemata.indexOf(node.data("schema")) < 0);
    });
    cy.edges().forEach(function (edge) {
      edge.toggleClass("filtered", relations.indexOf(edge.data("relation")) < 0);
    });
  }

  function memberDays(member) {
    return [member.start, member.end].filter(Boolean);
  }

  function refreshTimeline(saved) {
    const previous = timelineRange();
    const days = [];
    cy.edges().forEach(function (edge) {
      edge.data("members").forEach(function (member) {
        days.push.apply(days, memberDays(member));
      });
    });
    timelineDays = unique(days);
    const last = Math.max(timelineDays.length - 1, 0);
    // A saved chart brings its range; otherwise a narrowed range stays as the user set it.
    let wantFrom = previous.full ? null : previous.from;
    let wantTo = previous.full ? null : previous.to;
    if (saved) {
      wantFrom = saved.date_from;
      wantTo = saved.date_to;
    }
    const from = document.getElementById("chart-time-from");
    const to = document.getElementById("chart-time-to");
    [from, to].forEach(function (input) {
      input.min = "0";
      input.max = String(last);
      input.disabled = timelineDays.length < 2;
    });
    from.value = String(wantFrom ? firstIndexFrom(wantFrom) : 0);
    to.value = String(wantTo ? lastIndexUpTo(wantTo) : last);
  }

  function firstIndexFrom(day) {
    const index = timelineDays.findIndex(function (known) { return known >= day; });
    return index < 0 ? Math.max(timelineDays.length - 1, 0) : index;
  }

  function lastIndexUpTo(day) {
    let found = 0;
    timelineDays.forEach(function (known, index) {
      if (known <= day) {
        found = index;
      }
    });
    return found;
  }

  function timelineRange() {
    const from = document.getElementById("chart-time-from");
    const to = document.getElementById("chart-time-to");
    if (timelineDays.length < 2) {
      return { from: null, to: null, full: true };
    }
    let low = Number(from.value);
    let high = Number(to.value);
    if (low > high) {
      const swap = low;
      low = high;
      high = swap;
    }
    return {
      from: timelineDays[low],
      to: timelineDays[high],
      full: low === 0 && high === timelineDays.length - 1,
    };
  }

  function inRange(member, range) {
    if (!member.start && !member.end) {
      return true;
    }
    if (range.to && member.start && member.start > range.to) {
      return false;
    }
    return !(range.from && member.end && member.end < range.from);
  }

  function applyTimeline() {
    const range = timelineRange();
    document.getElementById("chart-time-from-label").textContent = range.from || "–";
    document.getElementById("chart-time-to-label").textContent = range.to || "–";
    cy.edges().forEach(function (edge) {
      const members = edge.data("members");
      const visible = members.filter(function (member) { return inRange(member, range); }).length;
      edge.data("count", Math.max(visible, 1));
      edge.data("display", edge.data("label") + (visible > 1 ? " ×" + visible : ""));
      edge.toggleClass("out-of-range", visible === 0);
    });
  }

  document.getElementById("chart-time-from").addEventListener("input", applyTimeline);
  document.getElementById("chart-time-to").addEventListener("input", applyTimeline);

  // -- selection, details and tools -----------------------------------------------------------

  function selectedNodes() {
    return cy.nodes(":selected");
  }

  function updateButtons() {
    const nodes = selectedNodes();
    document.getElementById("chart-expand").disabled = nodes.empty();
    document.getElementById("chart-collapse").disabled = nodes.empty();
    document.getElementById("chart-pin").disabled = nodes.empty();
    document.getElementById("chart-remove").disabled = nodes.empty();
    document.getElementById("chart-paths").disabled = nodes.length !== 2;
    const pinned = nodes.nonempty() && nodes.every(function (node) { return node.hasClass("pinned"); });
    document.getElementById("chart-pin").setAttribute("aria-pressed", pinned ? "true" : "false");
    document.getElementById("chart-pin").textContent = pinned ? "Unpin" : "Pin";
  }

  function detailRow(list, name, value, href) {
    const term = document.createElement("dt");
    const description = document.createElement("dd");
    term.textContent = name;
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = value;
      description.append(link);
    } else {
      description.textContent = value;
    }
    list.append(term, description);
  }

  function showDetails(element) {
    const box = document.getElementById("chart-details");
    const list = document.createElement("dl");
    if (element.isNode()) {
      const data = element.data();
      const href = data.kind === "entity" ? "/cases/" + caseNumber + "/entities/" + encodeURIComponent(data.id) : null;
      detailRow(list, "Name", data.caption, href);
      detailRow(list, "Type", data.schema);
      detailRow(list, "Id", data.id);
      detailRow(list, "Cases", (data.cases || []).join(", "));
      detailRow(list, "Links", String(element.connectedEdges().length));
      if (data.community) {
        detailRow(list, "Community", String(data.community));
      }
      if (data.betweenness !== undefined) {
        detailRow(list, "Betweenness", data.betweenness.toFixed(4));
      }
    } else {
      const data = element.data();
      const first = data.members[0];
      detailRow(list, "Relationship", data.relation);
      detailRow(list, "Label", data.label);
      detailRow(list, "Edges", String(data.members.length));
      const days = unique(data.members.flatMap(memberDays));
      detailRow(list, "Dates", days.length ? days[0] + " – " + days[days.length - 1] : "none");
      detailRow(list, "Source", first.entity, "/cases/" + caseNumber + "/entities/" + encodeURIComponent(first.entity));
      detailRow(list, "Case", first.case);
    }
    box.replaceChildren(list);
  }

  cy.on("select unselect", "node", updateButtons);
  cy.on("tap", "node, edge", function (event) {
    showDetails(event.target);
  });
  cy.on("dbltap", "node", function (event) {
    expand(cy.collection(event.target));
  });

  async function expand(nodes) {
    if (nodes.empty()) {
      return;
    }
    say("Loading neighbours…");
    try {
      const ids = nodes.map(function (node) { return node.id(); });
      const data = await request("GET", graphApi + "/neighbours" + query({ entity: ids, hops: 1, max_nodes: EXPAND_LIMIT }));
      const before = cy.nodes().length;
      const added = addElements(data);
      if (nodes.length === 1 && added.nonempty()) {
        placeAround(nodes[0], added);
      } else if (added.nonempty()) {
        runLayout(document.getElementById("chart-layout").value);
      }
      const suffix = data.truncated ? " (the first " + EXPAND_LIMIT + ")" : "";
      say("Added " + (cy.nodes().length - before) + " nodes" + suffix + ".");
    } catch (error) {
      failed(error);
    }
  }

  function collapse(nodes) {
    let removed = 0;
    nodes.forEach(function (node) {
      node.neighborhood("node").forEach(function (other) {
        const onlyHere = other.connectedEdges().connectedNodes().difference(other).same(node);
        if (onlyHere && !other.hasClass("pinned") && !other.selected()) {
          other.remove();
          removed += 1;
        }
      });
    });
    refreshFilters();
    say("Removed " + removed + " nodes linked only to the selection.");
  }

  function togglePin(nodes) {
    const pin = !nodes.every(function (node) { return node.hasClass("pinned"); });
    nodes.forEach(function (node) {
      node.toggleClass("pinned", pin);
      if (pin) {
        node.lock();
      } else {
        node.unlock();
      }
    });
    updateButtons();
  }

  async function shortestPaths(nodes) {
    say("Looking for paths…");
    try {
      const params = { source: nodes[0].id(), to: nodes[1].id(), limit: 10 };
      const data = await request("GET", graphApi + "/paths" + query(params));
      cy.edges().removeClass("path");
      if (!data.paths.length) {
        say("No path of at most 6 steps between the two nodes.");
        return;
      }
      const added = addElements(data.elements);
      if (added.nonempty()) {
        runLayout(document.getElementById("chart-layout").value);
      }
      data.elements.edges.forEach(function (edge) {
        cy.getElementById(edgeGroupId(edge)).addClass("path");
      });
      say(data.paths.length + " shortest path(s) of " + data.paths[0].length + " steps.");
    } catch (error) {
      failed(error);
    }
  }

  document.getElementById("chart-expand").addEventListener("click", function () { expand(selectedNodes()); });
  document.getElementById("chart-collapse").addEventListener("click", function () { collapse(selectedNodes()); });
  document.getElementById("chart-pin").addEventListener("click", function () { togglePin(selectedNodes()); });
  document.getElementById("chart-remove").addEventListener("click", function () {
    selectedNodes().remove();
    refreshFilters();
    updateButtons();
  });
  document.getElementById("chart-paths").addEventListener("click", function () { shortestPaths(selectedNodes()); });
  document.getElementById("chart-relayout").addEventListener("click", function () {
    runLayout(document.getElementById("chart-layout").value);
  });
  // Colours for communities, distinct from the schema colours' blues and purples where possible.
  const COMMUNITY_COLOURS = ["#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];

  async function colourByCommunity() {
    say("Finding communities…");
    try {
      const data = await request("GET", graphApi + "/communities" + query({ method: "louvain" }));
      const groupOf = {};
      data.groups.forEach(function (group, index) {
        group.nodes.forEach(function (node) {
          groupOf[node.id] = index;
        });
      });
      cy.nodes().forEach(function (node) {
        const index = groupOf[node.id()];
        node.data("community", index === undefined ? null : index + 1);
        node.data("colour", index === undefined ? "#5b6674" : COMMUNITY_COLOURS[index % COMMUNITY_COLOURS.length]);
      });
      say(data.groups.length + " communities in the case (modularity " + data.modularity.toFixed(2) + "); nodes are coloured by community.");
    } catch (error) {
      failed(error);
    }
  }

  async function sizeByCentrality() {
    say("Measuring centrality…");
    try {
      const data = await request("GET", graphApi + "/centrality" + query({ order: "betweenness", limit: 10000 }));
      const scores = {};
      let highest = 0;
      data.items.forEach(function (item) {
        scores[item.node.id] = item.betweenness || 0;
        highest = Math.max(highest, item.betweenness || 0);
      });
      cy.nodes().forEach(function (node) {
        const share = highest > 0 ? (scores[node.id()] || 0) / highest : 0;
        node.data("betweenness", scores[node.id()] || 0);
        node.style({ width: 30 + 50 * share, height: 30 + 50 * share });
      });
      say("Nodes are sized by betweenness centrality in the case.");
    } catch (error) {
      failed(error);
    }
  }

  document.getElementById("chart-communities").addEventListener("click", colourByCommunity);
  document.getElementById("chart-centrality").addEventListener("click", sizeByCentrality);

  document.getElementById("chart-edge-labels").addEventListener("change", function (event) {
    cy.edges().toggleClass("hide-label", !event.target.checked);
  });

  document.getElementById("chart-find").addEventListener("input", function (event) {
    const text = event.target.value.trim().toLowerCase();
    cy.elements().removeClass("match faded");
    if (!text) {
      return;
    }
    const matches = cy.nodes().filter(function (node) {
      return String(node.data("caption")).toLowerCase().indexOf(text) >= 0 || node.id().toLowerCase() === text;
    });
    matches.addClass("match");
    cy.elements().difference(matches).difference(matches.edgesWith(matches)).addClass("faded");
    if (matches.nonempty()) {
      cy.animate({ center: { eles: matches }, duration: 200 });
    }
    say(matches.length + " node(s) match.");
  });

  // -- adding entities -------------------------------------------------------------------------

  const addInput = document.getElementById("chart-add-query");
  const addOptions = document.getElementById("chart-add-options");
  let suggestTimer = null;

  addInput.addEventListener("input", function () {
    window.clearTimeout(suggestTimer);
    const text = addInput.value.trim();
    if (text.length < 2) {
      return;
    }
    suggestTimer = window.setTimeout(async function () {
      try {
        const page = await request("GET", caseApi + "/entities" + query({ q: text, limit: 10 }));
        addOptions.replaceChildren.apply(
          addOptions,
          page.items.map(function (item) {
            const option = document.createElement("option");
            option.value = item.caption;
            option.dataset.id = item.id;
            option.label = item.schema;
            return option;
          })
        );
      } catch (error) {
        failed(error);
      }
    }, 250);
  });

  document.getElementById("chart-add").addEventListener("submit", async function (event) {
    event.preventDefault();
    const text = addInput.value.trim();
    if (!text) {
      return;
    }
    const option = Array.from(addOptions.options).find(function (item) { return item.value === text; });
    const id = option ? option.dataset.id : text;
    try {
      const data = await request("GET", graphApi + "/neighbours" + query({ entity: id, hops: 0 }));
      const added = addElements(data);
      const extent = cy.extent();
      added.position({ x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 });
      cy.nodes().unselect();
      cy.getElementById(id).select();
      addInput.value = "";
      say(added.nonempty() ? "Added " + data.nodes[0].caption + "." : "Already on the chart.");
    } catch (error) {
      failed(error);
    }
  });

  // -- saving, reopening and exporting ---------------------------------------------------------

  function currentFilters() {
    const schemata = checkedValues("chart-schemata");
    const relations = checkedValues("chart-relations");
    const range = timelineRange();
    return {
      schemata: schemata.on.length === schemata.all.length ? [] : schemata.on,
      relations: relations.on.length === relations.all.length ? [] : relations.on,
      date_from: range.full ? null : range.from,
      date_to: range.full ? null : range.to,
    };
  }

  function chartPayload() {
    return {
      nodes: cy.nodes().map(function (node) {
        const position = node.position();
        return { id: node.id(), x: position.x, y: position.y, pinned: node.hasClass("pinned") };
      }),
      filters: currentFilters(),
      layout: "preset",
    };
  }

  function pointExportsAtChart() {
    ["graphml", "gexf", "anx"].forEach(function (format) {
      const link = document.getElementById("chart-export-" + format);
      if (link) {
        link.href = graphApi + "/charts/" + encodeURIComponent(chartId) + "/export?format=" + format;
      }
    });
  }

  const saveForm = document.getElementById("chart-save");
  if (saveForm && canWrite) {
    saveForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      const title = document.getElementById("chart-title").value.trim();
      try {
        let saved;
        if (chartId) {
          const body = { title: title, payload: chartPayload(), expected_version: chartVersion };
          saved = await request("PUT", graphApi + "/charts/" + encodeURIComponent(chartId), body);
        } else {
          saved = await request("POST", graphApi + "/charts", { title: title, payload: chartPayload() });
        }
        chartId = saved.id;
        chartVersion = saved.version;
        window.history.replaceState(null, "", "/cases/" + encodeURIComponent(caseNumber) + "/chart?chart=" + chartId);
        pointExportsAtChart();
        say("Saved “" + saved.title + "” (version " + saved.version + ").");
      } catch (error) {
        failed(error);
      }
    });
  }

  function download(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function fileStem() {
    return "case-" + caseNumber + "-chart";
  }

  document.getElementById("chart-png").addEventListener("click", function () {
    download(cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), fileStem() + ".png");
  });

  function escapeXml(text) {
    return String(text).replace(/[<>&"']/g, function (character) {
      return { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" }[character];
    });
  }

  // Draws what is visible: straight edges with their labels and arrows, nodes as coloured
  // shapes with captions, in Cytoscape's model coordinates shifted to start at the margin.
  function chartSvg() {
    const visible = cy.elements(":visible");
    const box = visible.boundingBox({ includeLabels: true });
    const margin = 20;
    const shiftX = margin - box.x1;
    const shiftY = margin - box.y1;
    const parts = [
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + Math.ceil(box.w + 2 * margin) +
        '" height="' + Math.ceil(box.h + 2 * margin) + '" font-family="sans-serif">',
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" ' +
        'orient="auto-start-reverse"><path d="M0 0 10 5 0 10z" fill="#9aa5b1"/></marker></defs>',
      '<rect width="100%" height="100%" fill="#ffffff"/>',
    ];
    visible.edges().forEach(function (edge) {
      const source = edge.source().position();
      const target = edge.target().position();
      const x1 = source.x + shiftX;
      const y1 = source.y + shiftY;
      const x2 = target.x + shiftX;
      const y2 = target.y + shiftY;
      const arrow = edge.data("directed") ? ' marker-end="url(#arrow)"' : "";
      parts.push('<line x1="' + x1 + '" y1="' + y1 + '" x2="' + x2 + '" y2="' + y2 +
        '" stroke="#9aa5b1" stroke-width="' + Math.min(1.5 + edge.data("count") / 8, 7) + '"' + arrow + "/>");
      parts.push('<text x="' + (x1 + x2) / 2 + '" y="' + (y1 + y2) / 2 +
        '" font-size="8" text-anchor="middle" fill="#3c4650">' + escapeXml(edge.data("display")) + "</text>");
    });
    visible.nodes().forEach(function (node) {
      const position = node.position();
      const x = position.x + shiftX;
      const y = position.y + shiftY;
      const colour = escapeXml(node.data("colour"));
      if (node.data("kind") === "value") {
        parts.push('<rect x="' + (x - 15) + '" y="' + (y - 15) + '" width="30" height="30" rx="5" fill="' + colour + '"/>');
      } else {
        parts.push('<circle cx="' + x + '" cy="' + y + '" r="19" fill="' + colour + '"/>');
      }
      parts.push('<text x="' + x + '" y="' + (y + 32) + '" font-size="10" text-anchor="middle" fill="#1d232b">' +
        escapeXml(node.data("caption")) + "</text>");
    });
    parts.push("</svg>");
    return parts.join("\n");
  }

  document.getElementById("chart-svg").addEventListener("click", function () {
    download(new Blob([chartSvg()], { type: "image/svg+xml" }), fileStem() + ".svg");
  });
  root.chartSvg = chartSvg;

  // -- start -----------------------------------------------------------------------------------

  async function openSaved() {
    const chart = await request("GET", graphApi + "/charts/" + encodeURIComponent(chartId));
    chartVersion = chart.version;
    const positions = {};
    const pinned = new Set();
    chart.payload.nodes.forEach(function (node) {
      positions[node.id] = { x: node.x, y: node.y };
      if (node.pinned) {
        pinned.add(node.id);
      }
    });
    addElements(chart.elements, positions);
    cy.nodes().forEach(function (node) {
      if (pinned.has(node.id())) {
        node.addClass("pinned");
        node.lock();
      }
    });
    refreshFilters(chart.payload.filters);
    applyTimeline();
    cy.fit(undefined, 30);
    const missing = chart.missing.length ? "; " + chart.missing.length + " node(s) are no longer in the case" : "";
    say("Opened “" + chart.title + "” (version " + chart.version + ")" + missing + ".");
  }

  async function openSeed() {
    const ranked = await request("GET", graphApi + "/centrality" + query({ limit: SEED_NODES, betweenness: false }));
    if (!ranked.items.length) {
      say("This case has no entities yet.");
      return;
    }
    const ids = ranked.items.map(function (item) { return item.node.id; });
    const data = await request("GET", graphApi + "/neighbours" + query({ entity: ids, hops: 0 }));
    addElements(data);
    runLayout("cose");
    say("Showing the " + ids.length + " most connected nodes. Double-click a node, or select it and press Expand, to add its neighbours.");
  }

  (chartId ? openSaved() : openSeed()).catch(failed);
  updateButtons();
})();
