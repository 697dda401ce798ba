// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { useId, version } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';

function Probe() {
  const id = useId();
  return <p data-id={id}>{version}</p>;
}

it('runs the React version of this leg of the matrix', () => {
  const expected = process.env.FACTOREDUI_EXPECT_REACT ?? '19';
  expect(version.split('.')[0]).toBe(expected);
  render(<Probe />);
  expect(screen.getByText(version)).toBeTruthy();
  expect(renderToString(<Probe />)).toContain(version);
});
