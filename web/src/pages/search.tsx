export default function SearchPage({ query }: { query: string }) {
  return <h1 data-params={[query].join()}>SearchPage</h1>;
}
