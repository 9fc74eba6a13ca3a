// Click-to-load YouTube embeds: the iframe (youtube-nocookie.com) is created only on click.
function mountVideos() {
  document.querySelectorAll(".video-embed[data-youtube-id]").forEach((box) => {
    const button = box.querySelector("button");
    if (!button || button.dataset.bound) return;
    button.dataset.bound = "1";
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.src = `https://www.youtube-nocookie.com/embed/${encodeURIComponent(box.dataset.youtubeId)}?autoplay=1`;
      frame.title = box.dataset.title || "YouTube 동영상";
      frame.allow = "autoplay; encrypted-media; picture-in-picture";
      frame.allowFullscreen = true;
      box.replaceChildren(frame);
    });
  });
}
// Loaded (deferred) only by pages with a video, each a full page load: mount once the page is parsed.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountVideos);
else mountVideos();
