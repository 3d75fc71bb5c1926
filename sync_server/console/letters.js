// Letter answers (R31): the file goes as a raw body, like the API; the server checks its type by content.
document.querySelectorAll("form.answer-upload").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    const result = form.querySelector(".result");
    if (!file) { result.textContent = "请选择回复文件"; return; }
    result.textContent = "正在上传…";
    const token = form.querySelector("input[name=csrf]");
    const headers = token ? { "X-CSRF-Token": token.value } : {};
    const response = await fetch(form.action, { method: "PUT", body: file, headers, credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (response.ok) { window.location.reload(); return; }
    result.textContent = body.message || "上传失败";
  });
});
