/*
 * Progressive enhancement of the evidence forms. Without this script every form still works as
 * a plain HTML form. With it:
 * - forms marked data-upload send their files with XMLHttpRequest and show the upload progress;
 * - files can be dropped on the file field (data-dropzone);
 * - time fields (data-when) show local time and fill in the browser's UTC offset for the date
 *   entered, so the server receives the time with the right offset.
 */
(function () {
  "use strict";

  var NOTICE_KEY = "casetrail-upload-notice";

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // Minutes east of UTC as "+HH:MM".
  function formatOffset(minutesEast) {
    var sign = minutesEast < 0 ? "-" : "+";
    var minutes = Math.abs(minutesEast);
    return sign + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  function localValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function enhanceWhen(group) {
    var local = group.querySelector("[data-when-local]");
    var offset = group.querySelector("[data-when-offset]");
    if (!local || !offset) {
      return;
    }
    // A time rendered by the server (UTC with its offset) is shown in the browser's time zone.
    if (local.value && offset.value) {
      var instant = new Date(local.value + ":00" + offset.value.replace(/^([+-]\d\d)(\d\d)$/, "$1:$2"));
      if (!isNaN(instant.getTime())) {
        local.value = localValue(instant);
        offset.value = formatOffset(-instant.getTimezoneOffset());
      }
    }
    local.addEventListener("change", function () {
      var entered = new Date(local.value);
      if (local.value && !isNaN(entered.getTime())) {
        offset.value = formatOffset(-entered.getTimezoneOffset());
      }
    });
  }

  function showChosen(zone, files) {
    var list = zone.querySelector(".chosen-files");
    if (!list) {
      list = document.createElement("ul");
      list.className = "chosen-files small";
      zone.appendChild(list);
    }
    list.textContent = "";
    Array.prototype.forEach.call(files, function (file) {
      var entry = document.createElement("li");
      entry.textContent = file.name + " (" + file.size.toLocaleString() + " bytes)";
      list.appendChild(entry);
    });
  }

  function enhanceDropzone(zone) {
    var input = zone.querySelector('input[type="file"]');
    var hint = zone.querySelector(".dropzone-hint");
    if (!input) {
      return;
    }
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
        showChosen(zone, input.files);
      }
    });
    input.addEventListener("change", function () {
      showChosen(zone, input.files);
    });
  }

  // Read the message of an error page (see error.html) returned for a rejected upload.
  function errorText(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var parts = [];
    var message = page.querySelector(".error-message");
    if (message) {
      parts.push(message.textContent.trim());
    }
    page.querySelectorAll(".field-errors li").forEach(function (item) {
      parts.push(item.textContent.trim());
    });
    return parts.join(" ") || "The upload failed.";
  }

  // The page the upload redirects to is fetched by XMLHttpRequest, which shows its one-time
  // notice there. The notice is kept here and shown again on the page the browser then opens.
  function keepNotice(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var flash = page.querySelector(".flash");
    if (flash && window.sessionStorage) {
      sessionStorage.setItem(NOTICE_KEY, flash.textContent.trim());
    }
  }

  function showKeptNotice() {
    var text = window.sessionStorage && sessionStorage.getItem(NOTICE_KEY);
    var main = document.getElementById("main");
    if (!text || !main) {
      return;
    }
    sessionStorage.removeItem(NOTICE_KEY);
    var notice = document.createElement("p");
    notice.className = "flash";
    notice.setAttribute("role", "status");
    notice.textContent = text;
    main.insertBefore(notice, main.firstChild);
  }

  // Open the page the upload redirected to. When that is the current page, assigning a URL that
  // differs only in its fragment would just scroll, so the page is reloaded instead.
  function openPage(url, fragment) {
    if (url === window.location.href.split("#")[0]) {
      window.location.hash = fragment;
      window.location.reload();
    } else {
      window.location.assign(url + fragment);
    }
  }

  function enhanceUpload(form) {
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector('button[type="submit"]');
    if (!status || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var bar = status.querySelector("progress");
    var message = status.querySelector(".upload-message");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "text/html");
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          var percent = Math.floor((progress.loaded / progress.total) * 100);
          bar.value = percent;
          message.textContent = "Uploading: " + percent + " % of " + progress.total.toLocaleString() + " bytes";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        message.textContent = "Upload complete. The server is hashing and sealing the files…";
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300 && request.responseURL) {
          keepNotice(request.responseText);
          message.textContent = "Done. Opening the item…";
          openPage(request.responseURL, form.getAttribute("data-upload") || "");
          return;
        }
        status.classList.add("is-failed");
        message.textContent = errorText(request.responseText);
        button.disabled = false;
      });
      request.addEventListener("error", function () {
        status.classList.add("is-failed");
        message.textContent = "The connection failed before the server answered. Reload the page to see whether the files arrived.";
        button.disabled = false;
      });
      status.hidden = false;
      status.classList.remove("is-failed");
      bar.value = 0;
      message.textContent = "Starting the upload…";
      button.disabled = true;
      request.send(new FormData(form));
    });
  }

  showKeptNotice();
  document.querySelectorAll("[data-when]").forEach(enhanceWhen);
  document.querySelectorAll("[data-dropzone]").forEach(enhanceDropzone);
  document.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
})();
