// Progressive enhancement: GOV.UK Frontend's components, in browsers that support ES modules.
// Loaded as a module script (no inline script), so the Content-Security-Policy stays strict.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
