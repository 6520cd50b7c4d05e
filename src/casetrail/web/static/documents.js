/*
 * The documents tab. Without this script the upload form posts every chosen file at once and
 * the list shows the status as it was when the page loaded. With it:
 * - files can be dropped on the file field, and each file is sent in its own request with a
 *   progress bar and its own result;
 * - the list requests the status of documents still queued or processing every few seconds
 *   and updates their rows until each is ingested or failed. When files were read out of a
 *   document (archive members, attachments), its row links to the list again, which shows
 *   them. The list does not reload on its own, because that would cut off uploads under way.
 * In the viewer, a long "add to entity" list gets a filter box that hides the entities whose
 * caption or schema does not contain the typed text.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var ACTIVE = { queued: true, processing: true };

  function setText(row, field, value) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (cell) {
      cell.textContent = value;
    }
    return cell;
  }

  function updateRow(row, item) {
    row.setAttribute("data-status", item.status);
    var badge = setText(row, "status", item.status);
    if (badge) {
      badge.className = "badge doc-status doc-status-" + item.status;
    }
    setText(row, "page_count", String(item.page_count));
    setText(row, "media_type", item.media_type || "\u2014");
    var reason = setText(row, "failure_reason", item.failure_reason || "");
    if (reason) {
      reason.hidden = !item.failure_reason;
    }
    showChildrenNotice(row, item.children || 0);
  }

  function showChildrenNotice(row, count) {
    var cell = row.querySelector(".document-file");
    if (!count || !cell || cell.querySelector(".children-notice")) {
      return;
    }
    var notice = document.createElement("div");
    notice.className = "small children-notice";
    var link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = count + (count === 1 ? " file was" : " files were") + " read out of it: show the list again";
    notice.appendChild(link);
    cell.appendChild(notice);
  }

  function pollStatuses(table) {
    var url = table.getAttribute("data-status-url");
    function activeRows() {
      return Array.prototype.filter.call(table.querySelectorAll("tr[data-document-id]"), function (row) {
        return ACTIVE[row.getAttribute("data-status")];
      });
    }
    function poll() {
      var rows = activeRows();
      if (!rows.length) {
        return;
      }
      var query = rows.map(function (row) {
        return "ids=" + encodeURIComponent(row.getAttribute("data-document-id"));
      }).join("&");
      fetch(url + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (items) {
          items.forEach(function (item) {
            var row = table.querySelector('tr[data-document-id="' + item.id + '"]');
            if (row) {
              updateRow(row, item);
            }
          });
        })
        .catch(function () { /* a missed poll is retried at the next tick */ })
        .then(function () {
          window.setTimeout(poll, POLL_MS);
        });
    }
    window.setTimeout(poll, POLL_MS);
  }

  function showChosen(list, files) {
    list.textContent = "";
    Array.prototype.forEach.call(files, function (file) {
      var entry = document.createElement("li");
      entry.className = "upload-item";
      var name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name + " (" + file.size.toLocaleString() + " bytes)";
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      var message = document.createElement("span");
      message.className = "upload-message small";
      entry.appendChild(name);
      entry.appendChild(bar);
      entry.appendChild(message);
      list.appendChild(entry);
    });
  }

  function errorText(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      var error = body.error || {};
      var fields = error.fields ? Object.keys(error.fields).map(function (key) {
        return key + ": " + error.fields[key];
      }) : [];
      return [error.message].concat(fields).filter(Boolean).join(" ") || "The upload failed.";
    } catch (ignored) {
      return "The upload failed (" + xhr.status + ").";
    }
  }

  function sendFile(form, file, entry) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      var bar = entry.querySelector("progress");
      var message = entry.querySelector(".upload-message");
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        var ok = xhr.status === 202;
        bar.value = 100;
        entry.classList.add(ok ? "is-done" : "is-failed");
        message.textContent = ok ? "stored, queued for ingestion" : errorText(xhr);
        resolve(ok);
      });
      xhr.addEventListener("error", function () {
        entry.classList.add("is-failed");
        message.textContent = "The connection was lost; try again.";
        resolve(false);
      });
      xhr.send(data);
    });
  }

  function enhanceUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var list = form.querySelector("[data-upload-list]");
    var button = form.querySelector('button[type="submit"]');
    if (!input || !zone || !list || !window.FormData || !window.XMLHttpRequest || !window.Promise) {
      return;
    }
    var hint = zone.querySelector(".dropzone-hint");
    if (hint) {
      hint.hidden = false;
    }
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("is-dragover");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        showChosen(list, input.files);
      }
    });
    input.addEventListener("change", function () {
      showChosen(list, input.files);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      if (!files.length) {
        return;
      }
      showChosen(list, files);
      button.disabled = true;
      var entries = list.querySelectorAll(".upload-item");
      // One file at a time keeps each progress bar meaningful on a slow link.
      files.reduce(function (previous, file, index) {
        return previous.then(function (results) {
          return sendFile(form, file, entries[index]).then(function (ok) {
            return results.concat([ok]);
          });
        });
      }, Promise.resolve([])).then(function (results) {
        button.disabled = false;
        if (results.every(Boolean)) {
          window.location.reload();
        }
      });
    });
  }

  function enhanceEntityFilter(input) {
    var select = input.parentNode.querySelector('select[name="entity_id"]');
    if (!select) {
      return;
    }
    input.hidden = false;
    input.addEventListener("input", function () {
      var filterText = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        // The empty "choose an entity" option stays, so the list never chooses by itself.
        var matches = !option.value || option.textContent.toLowerCase().indexOf(filterText) !== -1;
        option.hidden = !matches;
        option.disabled = !matches;
      });
      if (select.selectedOptions.length && select.selectedOptions[0].disabled) {
        select.value = "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-entity-filter]").forEach(enhanceEntityFilter);
    document.querySelectorAll("form[data-document-upload]").forEach(enhanceUpload);
    document.querySelectorAll("table[data-document-list]").forEach(pollStatuses);
  });
})();
