// The initial review was one page with a form for each part (issue 12): a link to one of its
// old sections (/review/#meeting) goes on to that part's own page.
const name = decodeURIComponent(location.hash.slice(1));
const task = name && document.querySelector(`[data-anchor~="${CSS.escape(name)}"]`);
if (task) location.replace(task.href);
