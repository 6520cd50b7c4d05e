/*
 * The notification bell in the page header, kept current without reloading the page.
 *
 * It opens the server-sent event stream named by the bell's data-stream attribute. An "unread"
 * event sets the count. A "notification" event sets the count too, and on the notifications
 * page it adds the new notification at the top of the list. The browser's EventSource reconnects by
 * itself and sends the last event id, so nothing is missed across a reconnect. Without this
 * script the bell still shows the count from the last page load.
 */
(function () {
  "use strict";

  function setCount(badge, count) {
    badge.textContent = String(count);
    badge.setAttribute("aria-label", count + " unread");
    badge.hidden = count === 0;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function addToList(list, data) {
    var empty = list.querySelector(".item.muted");
    if (empty) {
      empty.remove();
    }
    var item = document.createElement("li");
    item.className = "item notification notification-unread";
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/notifications/" + encodeURIComponent(data.id) + "/open";
    form.className = "inline-form";
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrfToken();
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "button-link notification-title";
    button.textContent = data.title;
    form.appendChild(token);
    form.appendChild(button);
    var meta = document.createElement("span");
    meta.className = "item-meta muted small";
    meta.textContent = "just now · unread";
    item.appendChild(form);
    item.appendChild(meta);
    list.insertBefore(item, list.firstChild);
  }

  function start() {
    var bell = document.querySelector("[data-notification-bell]");
    var badge = bell && bell.querySelector("[data-unread-count]");
    if (!bell || !badge || typeof EventSource === "undefined") {
      return;
    }
    var source = new EventSource(bell.getAttribute("data-stream"));
    // data-live marks an open stream: new notifications now reach this page.
    source.addEventListener("open", function () {
      bell.setAttribute("data-live", "true");
    });
    source.addEventListener("error", function () {
      bell.removeAttribute("data-live");
    });
    source.addEventListener("unread", function (event) {
      setCount(badge, JSON.parse(event.data).unread);
    });
    source.addEventListener("notification", function (event) {
      var data = JSON.parse(event.data);
      setCount(badge, data.unread);
      bell.classList.add("notification-bell-new");
      var list = document.querySelector("[data-notification-list]");
      if (list) {
        addToList(list, data);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
