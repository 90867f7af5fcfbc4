/**
 * The shell of the pages residents open from a mail — the survey (`/s/:token`) and their case
 * (`/c/:token`): server-rendered, no script, readable on any phone, kept out of search engines.
 * Each page adds the styles of its own parts.
 */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const BASE_STYLE = `body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#1d2129;line-height:1.6}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;margin-bottom:.5rem}
label.block{display:block;font-weight:600;margin:.75rem 0 .25rem}
button{width:100%;font:inherit;font-size:1.1rem;padding:.8rem;margin-top:1rem;border:0;border-radius:.5rem;background:#1664ff;color:#fff}
.note{color:#4e5969;font-size:.9rem}
nav{text-align:right;font-size:.9rem}`;

export function residentPage(htmlLang: string, title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="${htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · 物业客服中心</title>
<style>
${BASE_STYLE}
${style}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}
