// The one script of the site's own pages: a page that says so takes over the window when it loads in a
// HIT's frame (the worker is sent back to the site after /mturk/externalSubmit).
document.addEventListener("DOMContentLoaded", function () {
  if (window.top !== window.self && document.querySelector("[data-break-out-of-frame]")) {
    try {
      window.top.location.replace(window.location.href);
    } catch (error) {
      // A sandboxed frame may not navigate the window: the page's links (target=_top) remain.
    }
  }
});
