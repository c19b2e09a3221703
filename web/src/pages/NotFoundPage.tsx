import { Link } from '../lib/router';
import { useTitle } from '../lib/shell';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <div className="page">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is nothing here. Go to your <Link to="account">account</Link>.
      </p>
    </div>
  );
}
