// Starts the vendored Swagger UI on this app's OpenAPI document. A file, not an inline script: the
// Content-Security-Policy runs scripts from this site only.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.ssbraceApiDocs = window.SwaggerUIBundle({
      url: root.getAttribute("data-spec"),
      domNode: root,
      deepLinking: true,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      // null: no call to the public validator service; every request stays on this site
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
