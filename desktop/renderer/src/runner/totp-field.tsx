import { TextField } from '../ui/field';

/** The authenticator code a runner asks for at sign-in (password or single sign-on). */
export function TotpField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      id={id}
      label="Two-factor code"
      hint="This account uses two-factor authentication: enter the code from your authenticator app (or a recovery code)."
      inputMode="numeric"
      autoComplete="one-time-code"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      required
      autoFocus
    />
  );
}
