// Starts Swagger UI on the API docs page. A file of its own because the CSP forbids
// inline scripts. Requests made from the page use the login session, so state-changing
// ones carry the CSRF token like any form of the site; with a bearer token entered under
// "Authorize" the session is not needed and the header does no harm.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // The default validator badge calls validator.swagger.io; nothing leaves this site.
    validatorUrl: null,
    requestInterceptor: (request) => {
      request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      return request;
    },
  });
});
