export default function ExplorerPage({
  epoch,
  account,
}: {
  epoch?: string | undefined;
  account?: string | undefined;
}) {
  return <h1>ExplorerPage</h1>;
}
