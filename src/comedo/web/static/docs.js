// Starts Swagger UI on the server's own OpenAPI schema; kept out of docs.html so the Content-Security-Policy
// needs no inline script.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
