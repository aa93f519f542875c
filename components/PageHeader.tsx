/** A page's title and one-line description, rendered on the server so the page reads before scripts load. */
export function PageHeader({ title, description }: { title: string; description?: string }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {description && <p class="muted">{description}</p>}
    </div>
  );
}
