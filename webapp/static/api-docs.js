// Start Swagger UI on the API docs page (an external file: the CSP allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({ url: target.dataset.url, domNode: target, deepLinking: false,
                           tryItOutEnabled: true, defaultModelsExpandDepth: 0 });
});
